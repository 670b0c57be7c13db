//! Any bytes as a CSV data file: `data::build` returns a dataset or an error, never panics.
#![no_main]

use labelnoise::data;
use labelnoise::scenario::spec::{DataSource, DatasetSpec, LabelColumn};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

fuzz_target!(|data: &[u8]| {
    // First byte picks the reading options, the rest is the file.
    let Some((&opts, body)) = data.split_first() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("labelnoise-fuzz-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("data.csv"), body).unwrap();
    let spec = DatasetSpec {
        source: DataSource::Csv {
            path: PathBuf::from("data.csv"),
            test_path: None,
            label: if opts & 1 == 0 {
                LabelColumn::Name(String::new())
            } else {
                LabelColumn::Index(0)
            },
            header: opts & 2 == 0,
            delimiter: if opts & 4 == 0 { ',' } else { ';' },
            columns: None,
        },
        train: None,
        test: None,
        test_fraction: 0.25,
        standardize: opts & 8 == 0,
        noise_stream: Default::default(),
    };
    if let Ok(d) = data::build(&spec, &dir, u64::from(opts)) {
        assert_eq!(d.x_train.nrows(), d.y_train.len());
        assert!(d.y_train.iter().chain(&d.y_test).all(|&y| y < d.classes));
    }
});
