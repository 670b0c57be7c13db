//! The figures as a reader meets them: one panel per facet value, every cell drawn, human labels,
//! fonts of at least 8 pt at print size, no text past the canvas, one colour per method everywhere.

use assert_cmd::Command;
use labelnoise::report::figures::MIN_FONT_PX;
use quick_xml::events::{BytesStart, Event};
use std::fs;
use std::path::Path;

/// A `<text>` element: its content, anchor x, anchor, font size, and the last fill colour drawn
/// before it (a legend label's marker).
#[derive(Debug)]
struct Text {
    content: String,
    x: f64,
    anchor: String,
    size: f64,
    /// Rotated (a y axis title): it runs up the canvas, not across.
    rotated: bool,
    colour_before: Option<String>,
}

struct Svg {
    width: f64,
    texts: Vec<Text>,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

fn parse(svg: &str) -> Svg {
    let mut reader = quick_xml::Reader::from_str(svg);
    let (mut width, mut texts) = (0.0, Vec::new());
    let mut fill: Option<String> = None;
    let mut open: Option<Text> = None;
    loop {
        match reader.read_event().expect("well-formed SVG") {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"svg" => width = attr(&e, "width").unwrap().parse().unwrap(),
                b"text" => {
                    open = Some(Text {
                        content: String::new(),
                        x: attr(&e, "x").unwrap().parse().unwrap(),
                        anchor: attr(&e, "text-anchor").unwrap_or_else(|| "start".into()),
                        size: attr(&e, "font-size").unwrap().parse().unwrap(),
                        rotated: attr(&e, "transform").is_some_and(|t| t.contains("rotate")),
                        colour_before: fill.clone(),
                    })
                }
                _ => {
                    if let Some(f) = attr(&e, "fill").filter(|f| f != "none") {
                        fill = Some(f);
                    }
                }
            },
            Event::Text(t) => {
                if let Some(o) = open.as_mut() {
                    o.content.push_str(t.unescape().unwrap().trim());
                }
            }
            Event::End(e) if e.name().as_ref() == b"text" => texts.extend(open.take()),
            Event::Eof => break,
            _ => {}
        }
    }
    Svg { width, texts }
}

impl Svg {
    fn count(&self, content: &str) -> usize {
        self.texts.iter().filter(|t| t.content == content).count()
    }
    fn colour_of(&self, legend: &str) -> String {
        let t = self.texts.iter().find(|t| t.content == legend).unwrap();
        t.colour_before.clone().unwrap()
    }
}

/// Symmetric and pairflip noise along the rate, plus no noise (no rate): three panels.
const GRID: &str = "name = \"facets\"\nseeds = 2\n[dataset]\nsource = \"blobs\"\nclasses = 3\nfeatures = 4\n\
    train = 120\ntest = 90\n[[noise]]\nkind = \"none\"\n[[noise]]\nkind = \"symmetric\"\nrate = [0.2, 0.4]\n\
    [[noise]]\nkind = \"pairflip\"\nrate = [0.2, 0.4]\n[model]\nl2 = 1e-3\n[[method]]\nkind = \"ce\"\n\
    [[method]]\nkind = \"label_smoothing\"\nepsilon = [0.1, 0.3]\n[[method]]\nkind = \"gce\"\nq = 0.7\n";

fn run(dir: &Path, body: &str) -> std::path::PathBuf {
    let file = dir.join("scenario.toml");
    fs::write(&file, body).unwrap();
    let out = dir.join("out");
    Command::cargo_bin("labelnoise")
        .unwrap()
        .args(["run", "-q", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    out
}

#[test]
fn faceted_figures_show_every_cell_readably() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), GRID);
    let read = |name: &str| parse(&fs::read_to_string(out.join("plots").join(name)).unwrap());
    let accuracy = read("accuracy.svg");
    // One panel per noise kind, each title once.
    for kind in ["none", "symmetric", "pairflip"] {
        assert_eq!(accuracy.count(kind), 1, "{kind}: {:?}", accuracy.texts);
    }
    // Every cell: the methods along the rate, and the cells without a rate as references.
    let methods = ["ce", "ls ε=0.1", "ls ε=0.3", "gce q=0.7"];
    for m in methods {
        assert_eq!(accuracy.count(m), 1, "{m}");
        assert_eq!(accuracy.count(&format!("{m} (no noise rate)")), 1, "{m}");
    }
    // Human axis titles, no key paths or metric names anywhere.
    assert!(accuracy.count("noise rate") >= 1 && accuracy.count("test accuracy") >= 1);
    for name in [
        "accuracy.svg",
        "delta_accuracy.svg",
        "train_loss.svg",
        "ece.svg",
        "norm_gap.svg",
    ] {
        let svg = read(name);
        for t in &svg.texts {
            for internal in ["noise.", "method.", "_", "=,"] {
                assert!(!t.content.contains(internal), "{name}: {:?}", t.content);
            }
            assert!(t.size >= MIN_FONT_PX - 1e-9, "{name}: {t:?} below 8 pt");
            // Half an em per character is a narrow estimate: the text surely needs that much.
            let w = 0.5 * t.size * t.content.chars().count() as f64;
            let (lo, hi) = match t.anchor.as_str() {
                // Rotated a quarter turn with dy = 0.76 em: the glyphs lie right of x.
                _ if t.rotated => (t.x, t.x + t.size),
                "middle" => (t.x - w / 2.0, t.x + w / 2.0),
                "end" => (t.x - w, t.x),
                _ => (t.x, t.x + w),
            };
            assert!(
                lo >= 0.0 && hi <= svg.width,
                "{name}: {t:?} outside 0..{}",
                svg.width
            );
        }
    }
    // The same method wears the same colour in every figure; methods differ.
    let train_loss = read("train_loss.svg");
    for m in methods {
        assert_eq!(accuracy.colour_of(m), train_loss.colour_of(m), "{m}");
    }
    let mut colours: Vec<String> = methods.iter().map(|m| accuracy.colour_of(m)).collect();
    colours.sort();
    colours.dedup();
    assert_eq!(colours.len(), methods.len());
}

#[test]
fn options_choose_figures_and_facet_rows() {
    use labelnoise::report::figures::{render_with, FacetChoice, Options};
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), GRID);
    let records = labelnoise::engine::store::load(&out).unwrap().records;
    let summary = labelnoise::report::summarize("facets", &records);
    let options = |rows: Option<&str>| Options {
        figures: Some(vec!["accuracy".into()]),
        facets: FacetChoice {
            rows: rows.and_then(labelnoise::vocab::axis::Axis::parse),
            cols: None,
        },
    };
    let (wrapped, problems) = render_with(&summary, &records, &options(None));
    assert!(problems.is_empty());
    let (by_kind, _) = render_with(&summary, &records, &options(Some("noise.kind")));
    assert_eq!(wrapped.len(), 1);
    assert_eq!(wrapped[0].file, "accuracy.svg");
    // Three panels wrap into one row of three; one noise kind per row makes three rows.
    let width = |svg: &str| parse(svg).width;
    let height = |svg: &str| -> f64 {
        let start = svg.find("height=\"").unwrap() + 8;
        svg[start..].split('"').next().unwrap().parse().unwrap()
    };
    assert_eq!(width(&wrapped[0].svg), 3.0 * width(&by_kind[0].svg));
    assert!(height(&by_kind[0].svg) > 2.0 * height(&wrapped[0].svg) - 400.0);
}

/// `[report] figures` and `facet_rows` through the binary: `run` draws only the figures named, and
/// `report DIR` (which has no scenario file in hand) draws the same ones, byte for byte.
#[test]
fn the_report_section_chooses_the_figures_run_and_report_draw() {
    let tmp = tempfile::tempdir().unwrap();
    let body =
        format!("{GRID}[report]\nfigures = [\"accuracy\", \"ece\"]\nfacet_rows = \"noise.kind\"\n");
    let out = run(tmp.path(), &body);
    let drawn = || -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(out.join("plots"))
            .unwrap()
            .map(|e| {
                let path = e.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, fs::read(&path).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let first = drawn();
    let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["accuracy.svg", "ece.svg"]);
    Command::cargo_bin("labelnoise")
        .unwrap()
        .arg("report")
        .arg(&out)
        .assert()
        .success();
    assert_eq!(drawn(), first);
}
