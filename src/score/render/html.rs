//! One self-contained HTML page: inline CSS and SVG, no scripts, no network.

use super::{Baseline, count, libyears, number, ratio, score_text};
use crate::score::model::{Scorecard, ServiceScore, Status};
use std::fmt::Write as _;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn class(status: Status) -> &'static str {
    match status {
        Status::Ok => "ok",
        Status::Alert => "alert",
        Status::Unavailable => "na",
    }
}

/// A weekly trend as a small bar chart.
fn sparkline(label: &str, values: &[f64], weeks: &[String]) -> String {
    // The plot sits right of the y labels (max and 0) and above the week
    // labels (first, middle and last week, with the year).
    let (width, height) = (260.0, 72.0);
    let (left, bottom, top) = (30.0, 14.0, 4.0);
    let plot_width = width - left;
    let plot_height = height - bottom - top;
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    let n = values.len().max(1) as f64;
    let bar = plot_width / n;
    let mut svg = format!(
        r#"<figure class="trend"><figcaption>{}</figcaption><svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{} per week">"#,
        escape(label),
        escape(label)
    );
    let base = top + plot_height;
    if max == 0.0 {
        // Empty bars on an axis would read as a measured zero trend.
        let _ = write!(
            svg,
            r#"<text class="empty" x="{:.0}" y="{:.0}" text-anchor="middle">no activity</text></svg></figure>"#,
            width / 2.0,
            height / 2.0
        );
        return svg;
    }
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{base}"/><line class="axis" x1="{left}" y1="{base}" x2="{width}" y2="{base}"/><text x="{:.0}" y="{:.0}" text-anchor="end">{}</text><text x="{:.0}" y="{base}" text-anchor="end">0</text>"#,
        left - 3.0,
        top + 7.0,
        number(Some(max)),
        left - 3.0,
    );
    for (i, value) in values.iter().enumerate() {
        let h = if max > 0.0 {
            value / max * plot_height
        } else {
            0.0
        };
        let week = weeks.get(i).map(String::as_str).unwrap_or("");
        let _ = write!(
            svg,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"><title>week of {}: {}</title></rect>"#,
            left + i as f64 * bar + 1.0,
            base - h,
            (bar - 2.0).max(1.0),
            h.max(0.5),
            escape(week),
            value
        );
    }
    let mut ticks = vec![0, values.len().saturating_sub(1)];
    if values.len() > 4 {
        ticks.insert(1, values.len() / 2);
    }
    ticks.dedup();
    for (k, i) in ticks.iter().enumerate() {
        let Some(week) = weeks.get(*i) else { continue };
        let anchor = match k {
            0 => "start",
            _ if k + 1 == ticks.len() => "end",
            _ => "middle",
        };
        let x = match anchor {
            "start" => left + *i as f64 * bar,
            "end" => left + (*i + 1) as f64 * bar,
            _ => left + (*i as f64 + 0.5) * bar,
        };
        let _ = write!(
            svg,
            r#"<text x="{x:.1}" y="{height}" text-anchor="{anchor}">{}</text>"#,
            escape(week)
        );
    }
    svg.push_str("</svg></figure>");
    svg
}

fn card(out: &mut String, s: &ServiceScore, weeks: &[String], baseline: Option<&Baseline<'_>>) {
    let status = match (s.score, s.alerts.is_empty()) {
        (None, _) => "na",
        (Some(_), true) => "ok",
        (Some(_), false) => "alert",
    };
    let delta = baseline
        .and_then(|b| b.service(&s.name))
        .and_then(|b| b.score)
        .zip(s.score)
        .map(|(before, now)| {
            format!(
                " <small>({:+} vs {})</small>",
                i64::from(now) - i64::from(before),
                before
            )
        })
        .unwrap_or_default();
    let score = match s.score {
        Some(_) => format!("{}<span>/100</span>", escape(&score_text(s))),
        None => "no data".to_string(),
    };
    let _ = write!(
        out,
        r#"<section class="card {status}"><h2>{}</h2><p class="score">{score}{delta}</p><table>"#,
        escape(&s.name),
    );
    let st = &s.interface_stability;
    let rows = [
        (
            "Interface stability",
            format!(
                "{} breaking of {} ({})",
                st.breaking_commits,
                count(st.contract_commits as u64, "contract commit"),
                ratio(st.ratio)
            ),
            st.status,
            st.reason.clone(),
        ),
        (
            "Data coupling",
            if s.data_coupling.shared_tables.is_empty() {
                "no shared tables".to_string()
            } else {
                format!(
                    "{} shared: {}",
                    s.data_coupling.count,
                    s.data_coupling.shared_tables.join(", ")
                )
            },
            s.data_coupling.status,
            s.data_coupling.reason.clone(),
        ),
        (
            "Deploy frequency",
            format!(
                "{}, domain average {}, ratio {}",
                count(s.deploy_frequency.deploys as u64, "deploy"),
                number(s.deploy_frequency.domain_average),
                number(s.deploy_frequency.ratio)
            ),
            s.deploy_frequency.status,
            s.deploy_frequency.reason.clone(),
        ),
        (
            "Author concentration",
            format!(
                "bus factor {}, top author {}",
                s.author_concentration.bus_factor,
                ratio(s.author_concentration.top_share)
            ),
            s.author_concentration.status,
            s.author_concentration.reason.clone(),
        ),
        (
            "Dependency age",
            match s.dependency_age.libyears {
                Some(_) => format!(
                    "{} libyears (direct requirements with release times in the module cache)",
                    libyears(&s.dependency_age)
                ),
                None => "no data".to_string(),
            },
            s.dependency_age.status,
            s.dependency_age.reason.clone(),
        ),
    ];
    for (name, value, status, reason) in rows {
        // The reason is on the page, not in a tooltip: a printed or
        // screenshotted report must say why a metric has no number.
        let (value, reason) = match status {
            Status::Unavailable => (
                "no data".to_string(),
                format!(
                    r#"<div class="reason">{}</div>"#,
                    escape(reason.as_deref().unwrap_or("no reason recorded"))
                ),
            ),
            _ => (value, String::new()),
        };
        let _ = write!(
            out,
            r#"<tr class="{}"><th>{name}</th><td>{}{reason}</td><td class="status">{}</td></tr>"#,
            class(status),
            escape(&value),
            status.as_str()
        );
    }
    let churn = s.churn.as_ref().map_or(String::new(), |c| {
        format!(", lines +{} / -{}", c.added, c.removed)
    });
    let _ = write!(
        out,
        "<tr><th>Activity</th><td>{} ({} by bots), {}{churn}</td><td></td></tr></table>",
        count(s.commits as u64, "commit"),
        s.bot_commits,
        count(s.authors as u64, "author")
    );
    out.push_str(r#"<details><summary>score inputs</summary><table class="inputs"><tr><th>metric</th><th>value</th><th>sub-score</th><th>weight</th><th>formula</th></tr>"#);
    for input in &s.score_inputs {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            input.metric,
            number(input.value),
            number(input.subscore),
            input.weight,
            escape(&input.formula)
        );
    }
    out.push_str("</table></details><div class=\"trends\">");
    let w = &s.weekly;
    let f = |v: &[usize]| v.iter().map(|x| *x as f64).collect::<Vec<_>>();
    out.push_str(&sparkline("commits", &f(&w.commits), weeks));
    out.push_str(&sparkline(
        "churn (lines)",
        &w.churn.iter().map(|x| *x as f64).collect::<Vec<_>>(),
        weeks,
    ));
    out.push_str(&sparkline("deploys", &f(&w.deploys), weeks));
    out.push_str(&sparkline(
        "contract commits",
        &f(&w.contract_commits),
        weeks,
    ));
    out.push_str(&sparkline(
        "breaking commits",
        &f(&w.breaking_commits),
        weeks,
    ));
    out.push_str(&sparkline("authors", &f(&w.authors), weeks));
    out.push_str("</div></section>\n");
}

/// The coupling matrix: degree of temporal coupling between each pair.
fn matrix(out: &mut String, card: &Scorecard) {
    let names: Vec<&str> = card.services.iter().map(|s| s.name.as_str()).collect();
    out.push_str("<section><h2>Temporal coupling (degree %, shared commits)</h2>");
    if card.temporal_coupling.is_empty() {
        out.push_str("<p>No two services changed in the same commit.</p></section>");
        return;
    }
    out.push_str("<table class=\"matrix\"><tr><th></th>");
    for name in &names {
        let _ = write!(out, "<th>{}</th>", escape(name));
    }
    out.push_str("</tr>");
    for a in &names {
        let _ = write!(out, "<tr><th>{}</th>", escape(a));
        for b in &names {
            let pair = card.temporal_coupling.iter().find(|p| {
                (p.services[0] == *a && p.services[1] == *b)
                    || (p.services[0] == *b && p.services[1] == *a)
            });
            match pair {
                Some(p) if a != b => {
                    let alpha = (f64::from(p.degree) / 100.0).clamp(0.08, 1.0);
                    let _ = write!(
                        out,
                        r#"<td style="background:rgba(200,60,40,{alpha:.2})">{}% <small>({})</small></td>"#,
                        p.degree, p.shared_commits
                    );
                }
                _ => out.push_str("<td></td>"),
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</table></section>");
}

pub fn render(card: &Scorecard, baseline: Option<&Baseline<'_>>) -> String {
    let mut out = String::new();
    out.push_str(r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>trellis score</title><style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d232a;background:#f6f7f9}
h1{margin:0 0 4px}header p{margin:0 0 16px;color:#555}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:16px}
.card,section{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 3px rgba(0,0,0,.12);margin-bottom:16px}
.card.alert{border-left:6px solid #c83c28}.card.ok{border-left:6px solid #2f9e44}
.card h2{margin:0}.score{font-size:32px;font-weight:700;margin:4px 0}.score span{font-size:14px;color:#777}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #eee;vertical-align:top}
tr.alert td.status{color:#c83c28;font-weight:700}tr.ok td.status{color:#2f9e44}tr.na th,tr.na td{color:#888}
.reason{font-size:12px;color:#888}.card.na{border-left:6px solid #aaa}.card.na .score{color:#888}.trend text.empty{font-size:11px;fill:#888}
.trends{display:flex;flex-wrap:wrap;gap:8px;margin-top:8px}.trend{margin:0}.trend figcaption{font-size:12px;color:#555}
.trend rect{fill:#4263eb}.trend text{font-size:9px;fill:#777}.trend .axis{stroke:#bbb;stroke-width:1}
.matrix td,.matrix th{text-align:center}.inputs td{font-size:12px}
</style></head><body>"#);
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
    let _ = write!(
        out,
        "<header><h1>trellis score</h1><p>History {} to {} at <code>{}</code>: {}{}.</p></header>",
        card.window.since,
        card.window.until,
        escape(&card.head[..card.head.len().min(10)]),
        escape(&counts),
        baseline.map_or(String::new(), |b| format!(
            ", compared with <code>{}</code>",
            escape(b.reference)
        ))
    );
    if !card.history.incomplete.is_empty() {
        out.push_str("<section><h2>Incomplete</h2><ul>");
        for i in &card.history.incomplete {
            let _ = write!(
                out,
                "<li><b>{}</b>: {}</li>",
                escape(&i.metric),
                escape(&i.reason)
            );
        }
        out.push_str("</ul></section>");
    }
    out.push_str("<div class=\"cards\">");
    for s in &card.services {
        card_html(&mut out, s, &card.weeks, baseline);
    }
    out.push_str("</div>");
    matrix(&mut out, card);
    out.push_str("<section><h2>Hotspots (changes x lines)</h2>");
    if card.hotspots.is_empty() {
        out.push_str("<p>No file changed in the window.</p>");
    } else {
        out.push_str("<table><tr><th>file</th><th>service</th><th>changes</th><th>lines</th><th>score</th></tr>");
        for h in &card.hotspots {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&h.path),
                escape(h.service.as_deref().unwrap_or("")),
                h.changes,
                h.lines,
                h.score
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</section></body></html>\n");
    out
}

fn card_html(
    out: &mut String,
    s: &ServiceScore,
    weeks: &[String],
    baseline: Option<&Baseline<'_>>,
) {
    card(out, s, weeks, baseline);
}
