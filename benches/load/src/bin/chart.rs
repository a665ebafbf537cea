//! Draws the load test's ratios to bare hyper as grouped bars: `chart RESULTS.tsv OUT.png`.
//!
//! The TSV has one line per scenario and server: `scenario<TAB>server<TAB>ratio`. Labels need a
//! TrueType font; the chart uses DejaVu Sans from Debian's `fonts-dejavu-core`
//! (`/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf`, or the path in `CHART_FONT`).

use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

const COLORS: [RGBColor; 5] = [
    RGBColor(120, 120, 120),
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (input, output) = (
        args.next().expect("chart IN.tsv OUT.png"),
        args.next().expect("chart IN.tsv OUT.png"),
    );
    let font_path = std::env::var("CHART_FONT")
        .unwrap_or_else(|_| "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf".into());
    let font = std::fs::read(&font_path)
        .map_err(|err| format!("cannot read the chart font {font_path}: {err}"))?;
    register_font(
        "sans-serif",
        FontStyle::Normal,
        Box::leak(font.into_boxed_slice()),
    )
    .map_err(|_| "not a usable TrueType font")?;

    let mut scenarios: Vec<String> = Vec::new();
    let mut servers: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for line in std::fs::read_to_string(&input)?.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let [scenario, server, ratio] = fields[..] else {
            continue;
        };
        let ratio: f64 = ratio.parse()?;
        if !scenarios.iter().any(|s| s == scenario) {
            scenarios.push(scenario.into());
        }
        if !servers.iter().any(|s| s == server) {
            servers.push(server.into());
        }
        rows.push((scenario.to_owned(), server.to_owned(), ratio));
    }

    let root = BitMapBackend::new(&output, (960, 540)).into_drawing_area();
    root.fill(&WHITE)?;
    let groups = scenarios.len() as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Throughput relative to bare hyper (median of rounds)",
            ("sans-serif", 22),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(48)
        .build_cartesian_2d(0.0..groups, 0.0..1.2)?;
    let labels = scenarios.clone();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(scenarios.len() * 2 + 1)
        .x_label_formatter(&|x| {
            let index = (*x - 0.5).round();
            if (*x - 0.5 - index).abs() < 1e-6 && index >= 0.0 && (index as usize) < labels.len() {
                labels[index as usize].clone()
            } else {
                String::new()
            }
        })
        .y_desc("req/s ÷ bare hyper")
        .label_style(("sans-serif", 15))
        .draw()?;

    let width = 0.8 / servers.len() as f64;
    for (s, server) in servers.iter().enumerate() {
        let color = COLORS[s % COLORS.len()];
        chart
            .draw_series(
                rows.iter()
                    .filter(|row| &row.1 == server)
                    .map(|(scenario, _, ratio)| {
                        let g = scenarios.iter().position(|x| x == scenario).unwrap() as f64;
                        let x0 = g + 0.1 + width * s as f64;
                        Rectangle::new([(x0, 0.0), (x0 + width * 0.9, *ratio)], color.filled())
                    }),
            )?
            .label(server.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    root.present()?;
    Ok(())
}
