use super::*;

fn dense(rows: &[&[f64]]) -> TransitionMatrix {
    let rows: Vec<Vec<f64>> = rows.iter().map(|r| r.to_vec()).collect();
    TransitionMatrix::new(&rows).unwrap()
}

fn product(a: &[f64], b: &[f64], k: usize) -> Vec<f64> {
    (0..k * k)
        .map(|e| (0..k).map(|m| a[e / k * k + m] * b[m * k + e % k]).sum())
        .collect()
}

fn assert_identity(m: &[f64], k: usize, what: &str) {
    for (e, v) in m.iter().enumerate() {
        let want = f64::from(u8::from(e / k == e % k));
        assert!((v - want).abs() < 1e-12, "{what}: entry {e} is {v}");
    }
}

#[test]
fn every_problem_is_named_with_the_scenario_message() {
    let msgs = |rows: &[Vec<f64>]| -> Vec<String> {
        TransitionMatrix::new(rows)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    assert_eq!(msgs(&[]), ["the matrix is empty"]);
    assert_eq!(
        msgs(&[vec![1.0]]),
        ["a 1×1 matrix"],
        "a 1×1 row sums to 1 and is in range"
    );
    assert_eq!(
        msgs(&[vec![0.8, 0.2], vec![0.3, 0.6, 0.1]]),
        ["row 1 has 3 entries but the matrix has 2 rows"]
    );
    assert_eq!(
        msgs(&[vec![1.2, -0.2], vec![0.3, 0.7]]),
        ["row 0 has the entry 1.2"]
    );
    assert_eq!(
        msgs(&[vec![0.8, 0.1], vec![f64::NAN, 0.7]]),
        ["row 0 sums to 0.9, not 1", "row 1 has the entry NaN"]
    );
    assert!(MatrixError::RowSum { row: 0, sum: 0.9 }
        .help()
        .contains("within 1e-9"));
    // 0.1 + 0.2 + 0.7 is not exactly 1 in binary floating point: within the tolerance.
    assert!(TransitionMatrix::new(&vec![vec![0.1, 0.2, 0.7]; 3]).is_ok());
}

/// Singular exactly when the determinant (closed form for 2×2 and 3×3, rule of Sarrus) is zero,
/// and for 2×2 rcond = |det| / max(|a|+|b|, |c|+|d|) (‖T‖∞ = 1 for a stochastic T).
#[test]
fn singularity_follows_the_determinant() {
    let det2 = |m: &[f64]| m[0] * m[3] - m[1] * m[2];
    let det3 = |m: &[f64]| {
        m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6])
            + m[2] * (m[3] * m[7] - m[4] * m[6])
    };
    let twos = [
        dense(&[&[0.8, 0.2], &[0.3, 0.7]]),
        dense(&[&[0.5, 0.5], &[0.5, 0.5]]),
        dense(&[&[0.0, 1.0], &[1.0, 0.0]]),
        dense(&[&[0.3, 0.7], &[0.3, 0.7]]),
        TransitionMatrix::asymmetric(0.2, 0.8),
        TransitionMatrix::asymmetric(0.1, 0.3),
    ];
    for t in &twos {
        let e = t.entries();
        assert_eq!(t.is_singular(), det2(e).abs() < 1e-15, "{e:?}");
        let norm_inv = (e[3].abs() + e[1].abs()).max(e[2].abs() + e[0].abs()) / det2(e).abs();
        if !t.is_singular() {
            assert!(
                (t.rcond() - 1.0 / norm_inv).abs() < 1e-12 * t.rcond(),
                "{e:?}"
            );
        }
    }
    let threes = [
        dense(&[&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], &[0.5, 0.5, 0.0]]),
        dense(&[&[0.6, 0.3, 0.1], &[0.2, 0.7, 0.1], &[0.1, 0.1, 0.8]]),
    ];
    for t in &threes {
        assert_eq!(t.is_singular(), det3(t.entries()).abs() < 1e-15);
    }
    // Symmetric noise with K = 3 is singular exactly at rate (K−1)/K = 2/3.
    for rate in [0.1, 0.5, 2.0 / 3.0, 0.9] {
        let t = TransitionMatrix::symmetric(rate, 3, false);
        let d = dense(&[t.row(0), t.row(1), t.row(2)]);
        let singular = det3(t.entries()).abs() < 1e-12;
        assert_eq!(singular, rate == 2.0 / 3.0, "rate {rate}");
        assert_eq!(t.is_singular(), singular, "closed form, rate {rate}");
        assert_eq!(d.is_singular(), singular, "elimination, rate {rate}");
    }
}

#[test]
fn the_inverse_times_t_is_the_identity() {
    let cases = [
        dense(&[&[0.8, 0.2], &[0.3, 0.7]]),
        dense(&[
            &[0.5, 0.2, 0.1, 0.1, 0.1],
            &[0.05, 0.6, 0.15, 0.1, 0.1],
            &[0.0, 0.25, 0.7, 0.05, 0.0],
            &[0.1, 0.1, 0.1, 0.6, 0.1],
            &[0.3, 0.0, 0.0, 0.2, 0.5],
        ]),
        TransitionMatrix::symmetric(0.4, 4, false),
        TransitionMatrix::symmetric(0.9, 6, true),
        TransitionMatrix::pairflip(0.5, 5),
        TransitionMatrix::pairflip(0.3, 4),
    ];
    for t in &cases {
        let k = t.classes();
        let inv = t.inverse().unwrap();
        assert_identity(&product(inv, t.entries(), k), k, "T⁻¹T");
        assert_identity(&product(t.entries(), inv, k), k, "TT⁻¹");
    }
    assert!(dense(&[&[0.5, 0.5], &[0.5, 0.5]]).inverse().is_none());
}

/// The closed forms of the structured kinds agree with elimination on their entries.
#[test]
fn closed_forms_match_elimination() {
    let rates = [0.0, 0.1, 0.25, 0.5, 2.0 / 3.0, 0.75, 0.8, 0.9, 1.0];
    for k in 2..=6 {
        for &rate in &rates {
            let kinds = [
                TransitionMatrix::symmetric(rate, k, false),
                TransitionMatrix::symmetric(rate, k, true),
                TransitionMatrix::pairflip(rate, k),
            ];
            for t in kinds {
                let d = TransitionMatrix::new(&t.to_rows()).unwrap();
                let what = format!("K = {k}, rate {rate}: {:?}", t.to_rows());
                assert_eq!(t.is_singular(), d.is_singular(), "{what}");
                if !t.is_singular() {
                    assert!((t.rcond() - d.rcond()).abs() <= 1e-9 * d.rcond(), "{what}");
                }
            }
        }
    }
    assert!(TransitionMatrix::identity(3).rcond() == 1.0);
}

/// K = 4096 symmetric noise is judged by its closed form: no K×K entries are built (elimination
/// took 20 s).
#[test]
fn a_large_structured_matrix_is_judged_without_its_entries() {
    let k = 4096;
    let singular = TransitionMatrix::symmetric((k - 1) as f64 / k as f64, k, false);
    assert!(singular.is_singular());
    let fine = TransitionMatrix::pairflip(0.3, k);
    assert!(!fine.is_singular());
    assert!(
        TransitionMatrix::pairflip(0.5, k).is_singular(),
        "even K at rate ½"
    );
    assert!(
        !TransitionMatrix::pairflip(0.5, k - 1).is_singular(),
        "odd K"
    );
    assert!(singular.entries.get().is_none() && fine.entries.get().is_none());
}

#[test]
fn entries_are_those_the_noise_kinds_always_used() {
    let t = TransitionMatrix::symmetric(0.3, 4, false);
    assert_eq!(t.row(1), [0.3 / 3.0, 1.0 - 0.3, 0.3 / 3.0, 0.3 / 3.0]);
    let t = TransitionMatrix::symmetric(0.3, 4, true);
    assert_eq!(t.row(0)[0], 1.0 - 0.3 + 0.3 / 4.0);
    let t = TransitionMatrix::pairflip(0.2, 3);
    assert_eq!(
        t.to_rows(),
        [[0.8, 0.2, 0.0], [0.0, 0.8, 0.2], [0.2, 0.0, 0.8]]
    );
    assert_eq!(
        TransitionMatrix::asymmetric(0.1, 0.3).to_rows(),
        [[0.7, 0.3], [0.1, 0.9]]
    );
}

#[test]
fn matrices_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<TransitionMatrix>();
}
