//! The page's prose, kept apart from the widgets it places.

use crate::charts::ChartKind;
use crate::controls::Controls;
use crate::views::{ChartCard, Figures, RunStatus};
use leptos::prelude::*;

/// The opening: what happened and what this page lets you do.
#[component]
pub fn Intro() -> impl IntoView {
    view! {
        <header class="masthead">
            <p class="kicker">"Cascade Lab"</p>
            <h1>"How a two-minute cache failover becomes a four-hour outage"</h1>
            <p class="lede">
                "On 26 January 2022 Discord's API failed for hours. The trigger was small — a Redis node went away
                while its replica took over — but rate-limit checks fell back to a slow database query, the
                connection pool filled, requests hit their 30-second timeouts and clients retried. Long after Redis
                was back, the retries kept the database drowning. Below, that chain of events is simulated request
                by request; move a slider and the whole outage replays with your change."
            </p>
        </header>
    }
}

/// The lab itself, with the text that frames it.
#[component]
pub fn LabSection() -> impl IntoView {
    view! {
        <section class="lab" aria-labelledby="lab-title">
            <h2 id="lab-title">"The lab"</h2>
            <p class="lab-intro">
                "Requests arrive at random, 60,000 a second on average. One minute in, the Redis primary drops and
                stays unreachable for the failover time you choose (orange band). Each request checks its rate limit
                in Redis; when Redis does not answer within 2 s, the API asks PostgreSQL instead, at twice the cost
                of a normal query."
            </p>
            <div class="lab-grid">
                <div class="lab-main">
                    <Figures />
                    <ChartCard kind=ChartKind::FailureRate height=260.0 />
                </div>
                <Controls />
                <div class="charts">
                    {ChartKind::ALL
                        .into_iter()
                        .filter(|k| *k != ChartKind::FailureRate)
                        .map(|kind| view! { <ChartCard kind=kind /> })
                        .collect_view()}
                </div>
            </div>
            <RunStatus />
        </section>
    }
}

/// How to read the lab, and what to try.
#[component]
pub fn Reading() -> impl IntoView {
    view! {
        <section class="prose">
            <h2>"Things to try"</h2>
            <ol>
                <li>
                    <strong>"Find the tipping point."</strong>
                    " Drag the failover from 30 seconds up to two minutes. Short failovers cause a bump that heals
                    itself. Somewhere past a minute and a quarter the failure rate stays near 100% for the rest of
                    the run, although Redis is back: the system has tipped into a "
                    <em>"metastable"</em>
                    " failure."
                </li>
                <li>
                    <strong>"Look at the pool while it fails."</strong>
                    " Every connection is busy and over a thousand requests wait in line. Most of them belong to
                    clients that gave up 30 seconds ago; the database still runs their queries. That wasted work, plus
                    every client trying up to four times, is what keeps the outage going."
                </li>
                <li>
                    <strong>"Switch on the circuit breaker."</strong>
                    " It fails calls fast while the database is drowning, so the queue drains and the system comes
                    back within a minute or two of Redis. Then move its threshold and open time."
                </li>
                <li>
                    <strong>"Shrink the pool."</strong>
                    " With fewer connections the database spends less of its time on contention and gets more done:
                    a small pool rides out a failover that sinks a big one."
                </li>
                <li>
                    <strong>"Add jitter."</strong>
                    " Here arrivals are already random, so jitter changes little: backoff and jitter spread retries
                    out in time but do not make fewer of them. They matter when many clients fail at the same
                    instant."
                </li>
            </ol>
            <h2>"How to read the figures"</h2>
            <dl>
                <dt>"Failure rate"</dt>
                <dd>
                    "Failed attempts ÷ attempts that ended in that 5-second interval, retries included. An attempt
                    fails when the client's 30-second timeout expires, when it waits too long for a database
                    connection, when the breaker rejects it, or when its rate limit cannot be checked."
                </dd>
                <dt>"Recovery after the failover"</dt>
                <dd>
                    "Time from the end of the failover to the start of the final stretch in which every interval's
                    failure rate is below 1%, provided that stretch lasts at least 60 seconds. If the run ends
                    while still failing, it did not recover."
                </dd>
                <dt>"Attempts per request"</dt>
                <dd>"All attempts ÷ user requests: 1.00 means nobody retried; 4.00 means every request used all four attempts."</dd>
                <dt>"Units"</dt>
                <dd>
                    "Each simulated request stands for 5,000 real ones, so request counts are shown multiplied.
                    Times, rates and the database's own figures (connections, query times) are the model's own."
                </dd>
            </dl>
        </section>
    }
}

/// What is public record and what is our reconstruction.
#[component]
pub fn Provenance() -> impl IntoView {
    view! {
        <section class="prose provenance" data-testid="provenance">
            <h2>"What is known, and what is our reconstruction"</h2>
            <div class="two-col">
                <div>
                    <h3>"Public record"</h3>
                    <ul>
                        <li>"Discord's API had a long outage on Wednesday 26 January 2022; press reports quoting the status page put its start around 19:49 UTC."</li>
                        <li>"The status page said the underlying API issue had been found but that Discord was \"dealing with a secondary issue on one of our database clusters\"."</li>
                        <li>"Logins were rate-limited while the database was repaired, and the limits were raised step by step once it was healthy; parts of the slash-command system were turned down to cut database load."</li>
                        <li>"Similar mechanics appear in Discord's other public incidents: Redis cache nodes and a thundering herd on the data store (February 2019), features kept off during recovery (March 2022), load shedding letting users back in stages (November 2023)."</li>
                    </ul>
                </div>
                <div>
                    <h3>"Reconstruction"</h3>
                    <ul>
                        <li>"The chain shown here — Redis primary failover as trigger, rate-limit checks falling back to PostgreSQL, 30-second timeouts, the exhausted pool — comes from a third-party write-up of the incident, not from a Discord postmortem. No public source confirms it."</li>
                        <li>"That write-up's timeline runs 14:30–18:53 UTC, which does not match the press reports' clock; where this site replays it, it uses the write-up's clock and says so."</li>
                        <li>"All numbers in the model (traffic, pool size, query costs) are chosen to reproduce the shape of the story, not measured at Discord."</li>
                    </ul>
                </div>
            </div>
            <h3>"What the lessons rest on"</h3>
            <p>
                "The behaviour itself is well documented. Bronson and colleagues (HotOS 2021) named "
                <em>"metastable failures"</em>
                ": a trigger pushes an open system into a bad state that persists after the trigger is gone,
                held there by a sustaining effect such as retries. Huang and colleagues (OSDI 2022) found retries
                to be the most common sustaining effect across 22 incidents. Google's SRE book and the AWS
                Builders' Library describe the defences shown here: circuit breakers, backoff with jitter, retry
                budgets, adaptive throttling, load shedding."
            </p>
        </section>
    }
}
