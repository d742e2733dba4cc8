//! One self-contained HTML page: inline CSS and SVG, no scripts, no network.
//! The markup is the `score.html` template (tera, escaping every value);
//! this file turns the card into what the template shows: formatted
//! numbers, rows with their reasons, chart geometry.

use super::{Baseline, count, libyears, number, ratio, score_text};
use crate::score::model::{Scorecard, ServiceScore, Status};
use serde::Serialize;

const TEMPLATE: &str = include_str!("score.html");

/// An error here is a bug in trellis (the template is part of the binary),
/// never the user's input.
pub(crate) fn render(
    card: &Scorecard,
    baseline: Option<&Baseline<'_>>,
) -> Result<String, tera::Error> {
    let page = Page::of(card, baseline);
    let mut tera = tera::Tera::default();
    tera.add_raw_template("score.html", TEMPLATE)?;
    let mut html = tera.render("score.html", &tera::Context::from_serialize(&page)?)?;
    html.push('\n');
    Ok(html)
}

#[derive(Serialize)]
struct Page<'a> {
    since: &'a str,
    until: &'a str,
    head: &'a str,
    counts: String,
    compared: Option<&'a str>,
    incomplete: &'a [crate::score::model::Incomplete],
    cards: Vec<Card>,
    matrix: Matrix,
    hotspots: Vec<HotspotRow>,
}

impl<'a> Page<'a> {
    fn of(card: &'a Scorecard, baseline: Option<&Baseline<'a>>) -> Page<'a> {
        let counts = if card.history.commits == 0 {
            super::empty_window(card)
        } else {
            format!(
                "{} ({}, {} by bots)",
                count(card.history.commits as u64, "commit"),
                count(card.history.merges as u64, "merge"),
                card.history.bot_commits,
            )
        };
        Page {
            since: &card.window.since,
            until: &card.window.until,
            head: &card.head[..card.head.len().min(10)],
            counts,
            compared: baseline.map(|b| b.reference),
            incomplete: &card.history.incomplete,
            cards: card
                .services
                .iter()
                .map(|s| Card::of(s, &card.weeks, baseline))
                .collect(),
            matrix: Matrix::of(card),
            hotspots: card
                .hotspots
                .iter()
                .map(|h| HotspotRow {
                    path: h.path.clone(),
                    service: h.service.clone().unwrap_or_default(),
                    changes: h.changes,
                    lines: h.lines,
                    score: h.score,
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct Card {
    name: String,
    /// `ok`, `alert`, or `na` without a score.
    status: &'static str,
    score: Option<String>,
    delta: Option<String>,
    rows: Vec<Row>,
    activity: String,
    inputs: Vec<Input>,
    charts: Vec<Chart>,
}

impl Card {
    fn of(s: &ServiceScore, weeks: &[String], baseline: Option<&Baseline<'_>>) -> Card {
        let status = match (s.score, s.alerts.is_empty()) {
            (None, _) => "na",
            (Some(_), true) => "ok",
            (Some(_), false) => "alert",
        };
        let delta = baseline
            .and_then(|b| b.service(&s.name))
            .and_then(|b| b.score)
            .zip(s.score)
            .map(|(before, now)| format!("{:+} vs {before}", i64::from(now) - i64::from(before)));
        let churn = s.churn.as_ref().map_or(String::new(), |c| {
            format!(", lines +{} / -{}", c.added, c.removed)
        });
        Card {
            name: s.name.clone(),
            status,
            score: s.score.map(|_| score_text(s)),
            delta,
            rows: rows(s),
            activity: format!(
                "{} ({} by bots), {}{churn}",
                count(s.commits as u64, "commit"),
                s.bot_commits,
                count(s.authors as u64, "author")
            ),
            inputs: s
                .score_inputs
                .iter()
                .map(|input| Input {
                    metric: input.metric.clone(),
                    value: number(input.value),
                    subscore: number(input.subscore),
                    weight: input.weight.to_string(),
                    formula: input.formula.clone(),
                })
                .collect(),
            charts: charts(s, weeks),
        }
    }
}

#[derive(Serialize)]
struct Row {
    name: &'static str,
    value: String,
    class: &'static str,
    status: &'static str,
    /// Why the metric has no data: on the page, not in a tooltip, so a
    /// printed or screenshotted report says it too.
    reason: Option<String>,
}

fn rows(s: &ServiceScore) -> Vec<Row> {
    let st = &s.interface_stability;
    let dc = &s.data_coupling;
    let df = &s.deploy_frequency;
    let ac = &s.author_concentration;
    let age = &s.dependency_age;
    [
        (
            "Interface stability",
            match st.unknown_commits {
                0 => format!(
                    "{} breaking of {} ({})",
                    st.breaking_commits,
                    count(st.contract_commits as u64, "contract commit"),
                    ratio(st.ratio)
                ),
                unknown => format!(
                    "{} breaking of {} judged ({}); {unknown} of {} could not be judged",
                    st.breaking_commits,
                    st.contract_commits - unknown,
                    ratio(st.ratio),
                    count(st.contract_commits as u64, "contract commit"),
                ),
            },
            st.status,
            &st.reason,
        ),
        (
            "Data coupling",
            match dc.shared_tables.is_empty() {
                true => "no shared tables".to_string(),
                false => format!("{} shared: {}", dc.count, dc.shared_tables.join(", ")),
            },
            dc.status,
            &dc.reason,
        ),
        (
            "Deploy frequency",
            format!(
                "{}, domain average {}, ratio {}",
                count(df.deploys as u64, "deploy"),
                number(df.domain_average),
                number(df.ratio)
            ),
            df.status,
            &df.reason,
        ),
        (
            "Author concentration",
            format!(
                "bus factor {}, top author {}",
                ac.bus_factor,
                ratio(ac.top_share)
            ),
            ac.status,
            &ac.reason,
        ),
        (
            "Dependency age",
            format!(
                "{} libyears (direct dependencies with release times in the local cache)",
                libyears(age)
            ),
            age.status,
            &age.reason,
        ),
    ]
    .into_iter()
    .map(|(name, value, status, reason)| row(name, value, status, reason))
    .collect()
}

fn row(name: &'static str, value: String, status: Status, reason: &Option<String>) -> Row {
    let unavailable = status == Status::Unavailable;
    Row {
        name,
        value: if unavailable { "no data".into() } else { value },
        class: match status {
            Status::Ok => "ok",
            Status::Alert => "alert",
            Status::Unavailable => "na",
        },
        status: status.as_str(),
        reason: unavailable.then(|| {
            reason
                .clone()
                .unwrap_or_else(|| "no reason recorded".to_string())
        }),
    }
}

#[derive(Serialize)]
struct Input {
    metric: String,
    value: String,
    subscore: String,
    weight: String,
    formula: String,
}

fn charts(s: &ServiceScore, weeks: &[String]) -> Vec<Chart> {
    let w = &s.weekly;
    let counts = |v: &[usize]| v.iter().map(|x| *x as f64).collect::<Vec<_>>();
    let churn: Vec<f64> = w.churn.iter().map(|x| *x as f64).collect();
    vec![
        Chart::of("commits", &counts(&w.commits), weeks),
        Chart::of("churn (lines)", &churn, weeks),
        Chart::of("deploys", &counts(&w.deploys), weeks),
        Chart::of("contract commits", &counts(&w.contract_commits), weeks),
        Chart::of("breaking commits", &counts(&w.breaking_commits), weeks),
        Chart::of("authors", &counts(&w.authors), weeks),
    ]
}

/// A weekly trend as a small bar chart: the plot sits right of the y labels
/// (the maximum and 0) and above the week labels (first, middle and last
/// week, with the year). All numbers are formatted for the SVG here.
#[derive(Serialize)]
struct Chart {
    label: &'static str,
    /// Empty bars on an axis would read as a measured zero trend: a series
    /// without activity says so instead.
    empty: bool,
    width: f64,
    height: f64,
    left: f64,
    top: f64,
    base: f64,
    middle_x: String,
    middle_y: String,
    label_x: String,
    max_y: String,
    max: String,
    bars: Vec<Bar>,
    ticks: Vec<Tick>,
}

#[derive(Serialize)]
struct Bar {
    x: String,
    y: String,
    width: String,
    height: String,
    week: String,
    value: f64,
}

#[derive(Serialize)]
struct Tick {
    x: String,
    anchor: &'static str,
    week: String,
}

impl Chart {
    fn of(label: &'static str, values: &[f64], weeks: &[String]) -> Chart {
        let (width, height) = (260.0, 72.0);
        let (left, bottom, top) = (30.0, 14.0, 4.0);
        let plot_height = height - bottom - top;
        let base = top + plot_height;
        let max = values.iter().copied().fold(0.0_f64, f64::max);
        let bar = (width - left) / values.len().max(1) as f64;
        let bars = values
            .iter()
            .enumerate()
            .map(|(i, value)| {
                let h = if max > 0.0 {
                    value / max * plot_height
                } else {
                    0.0
                };
                Bar {
                    x: format!("{:.1}", left + i as f64 * bar + 1.0),
                    y: format!("{:.1}", base - h),
                    width: format!("{:.1}", (bar - 2.0).max(1.0)),
                    height: format!("{:.1}", h.max(0.5)),
                    week: weeks.get(i).cloned().unwrap_or_default(),
                    value: *value,
                }
            })
            .collect();
        Chart {
            label,
            empty: max == 0.0,
            width,
            height,
            left,
            top,
            base,
            middle_x: format!("{:.0}", width / 2.0),
            middle_y: format!("{:.0}", height / 2.0),
            label_x: format!("{:.0}", left - 3.0),
            max_y: format!("{:.0}", top + 7.0),
            max: number(Some(max)),
            bars,
            ticks: ticks(values.len(), weeks, left, bar),
        }
    }
}

/// The first, middle (with more than four weeks) and last week under the bars.
fn ticks(n: usize, weeks: &[String], left: f64, bar: f64) -> Vec<Tick> {
    let mut at = vec![0, n.saturating_sub(1)];
    if n > 4 {
        at.insert(1, n / 2);
    }
    at.dedup();
    let last = at.len() - 1;
    at.iter()
        .enumerate()
        .filter_map(|(k, i)| {
            let week = weeks.get(*i)?;
            let (anchor, x) = match k {
                0 => ("start", left + *i as f64 * bar),
                _ if k == last => ("end", left + (*i + 1) as f64 * bar),
                _ => ("middle", left + (*i as f64 + 0.5) * bar),
            };
            Some(Tick {
                x: format!("{x:.1}"),
                anchor,
                week: week.clone(),
            })
        })
        .collect()
}

#[derive(Serialize)]
struct HotspotRow {
    path: String,
    service: String,
    changes: usize,
    lines: u32,
    score: u64,
}

/// The coupling matrix: degree of temporal coupling between each pair.
#[derive(Serialize)]
struct Matrix {
    names: Vec<String>,
    /// Empty when no two services changed in the same commit.
    rows: Vec<MatrixRow>,
}

#[derive(Serialize)]
struct MatrixRow {
    name: String,
    cells: Vec<Option<MatrixCell>>,
}

#[derive(Serialize)]
struct MatrixCell {
    degree: u32,
    shared: usize,
    alpha: String,
}

impl Matrix {
    fn of(card: &Scorecard) -> Matrix {
        let names: Vec<String> = card.services.iter().map(|s| s.name.clone()).collect();
        if card.temporal_coupling.is_empty() {
            return Matrix {
                names,
                rows: Vec::new(),
            };
        }
        let cell = |a: &str, b: &str| {
            let pair = card.temporal_coupling.iter().find(|p| {
                (p.services[0] == a && p.services[1] == b)
                    || (p.services[0] == b && p.services[1] == a)
            })?;
            (a != b).then(|| MatrixCell {
                degree: pair.degree,
                shared: pair.shared_commits,
                alpha: format!("{:.2}", (f64::from(pair.degree) / 100.0).clamp(0.08, 1.0)),
            })
        };
        let rows = names
            .iter()
            .map(|a| MatrixRow {
                name: a.clone(),
                cells: names.iter().map(|b| cell(a, b)).collect(),
            })
            .collect();
        Matrix { names, rows }
    }
}
