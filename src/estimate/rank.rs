//! How well a score finds the wrong labels, against the true flipped set. A higher score means
//! "more likely wrong".
//!
//! * precision, recall and F1 of a flagged set (the m highest scores, or a method's own set);
//! * AUROC: the probability that a wrong label scores above a right one, ties counting ½
//!   (Mann–Whitney; equals scikit-learn's `roc_auc_score`);
//! * average precision: Σₖ (Rₖ − Rₖ₋₁)·Pₖ over the distinct score thresholds from the top, tied
//!   scores entering together (scikit-learn's `average_precision_score`).

/// Precision, recall and F1 of a flagged set. Nothing flagged: precision 0; F1 0 when both are 0.
/// `None` without any wrong label (recall is undefined).
pub fn precision_recall_f1(flagged: &[bool], wrong: &[bool]) -> Option<(f64, f64, f64)> {
    let positives = wrong.iter().filter(|&&w| w).count();
    if positives == 0 {
        return None;
    }
    let chosen = flagged.iter().filter(|&&f| f).count();
    let hits = flagged.iter().zip(wrong).filter(|(&f, &w)| f && w).count();
    let precision = if chosen == 0 {
        0.0
    } else {
        hits as f64 / chosen as f64
    };
    let recall = hits as f64 / positives as f64;
    let f1 = if hits == 0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Some((precision, recall, f1))
}

/// The m highest scores flagged; equal scores in sample order (deterministic).
pub fn top(scores: &[f64], m: usize) -> Vec<bool> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut flagged = vec![false; scores.len()];
    order.iter().take(m).for_each(|&i| flagged[i] = true);
    flagged
}

/// Samples in decreasing score, cut into groups of equal score: (wrong, right) counts per group.
fn groups(scores: &[f64], wrong: &[bool]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut last: Option<f64> = None;
    for i in order {
        if last != Some(scores[i]) {
            out.push((0, 0));
            last = Some(scores[i]);
        }
        let g = out.last_mut().expect("pushed above");
        if wrong[i] {
            g.0 += 1;
        } else {
            g.1 += 1;
        }
    }
    out
}

/// AUROC with ties counted ½; `None` unless there are both wrong and right labels.
pub fn auroc(scores: &[f64], wrong: &[bool]) -> Option<f64> {
    let pos = wrong.iter().filter(|&&w| w).count();
    let neg = wrong.len() - pos;
    if pos == 0 || neg == 0 {
        return None;
    }
    // Each wrong label beats every right one in a lower group, ties half.
    let mut right_below = neg as f64;
    let mut wins = 0.0;
    for (w, r) in groups(scores, wrong) {
        right_below -= r as f64;
        wins += w as f64 * (right_below + 0.5 * r as f64);
    }
    Some(wins / (pos as f64 * neg as f64))
}

/// Average precision over the distinct thresholds; `None` without any wrong label.
pub fn average_precision(scores: &[f64], wrong: &[bool]) -> Option<f64> {
    let pos = wrong.iter().filter(|&&w| w).count();
    if pos == 0 {
        return None;
    }
    let (mut hits, mut seen, mut ap) = (0usize, 0usize, 0.0);
    for (w, r) in groups(scores, wrong) {
        hits += w;
        seen += w + r;
        ap += (w as f64 / pos as f64) * (hits as f64 / seen as f64);
    }
    Some(ap)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Six samples, wrong = {0, 3}; scores 0.9, 0.8, 0.7, 0.7, 0.2, 0.1 (sample 3 ties sample 2).
    /// Pairs (wrong, right): sample 0 beats all 4 right ones; sample 3 ties sample 2 (½) and beats
    /// samples 4, 5: AUROC = (4 + 2.5)/8 = 0.8125. AP: thresholds 0.9 (R ½, P 1), 0.8 (R ½),
    /// 0.7 (R 1, P 2/4): AP = ½·1 + ½·½ = 0.75. Top 2 = {0, 1}: P ½, R ½, F1 ½.
    #[test]
    fn detection_measures_by_hand() {
        let scores = [0.9, 0.8, 0.7, 0.7, 0.2, 0.1];
        let wrong = [true, false, false, true, false, false];
        assert_eq!(auroc(&scores, &wrong), Some(0.8125));
        assert_eq!(average_precision(&scores, &wrong), Some(0.75));
        let flagged = top(&scores, 2);
        assert_eq!(flagged, [true, true, false, false, false, false]);
        assert_eq!(precision_recall_f1(&flagged, &wrong), Some((0.5, 0.5, 0.5)));
        // Top 4 = {0, 1, 2, 3}: P = 2/4, R = 1, F1 = 2·½·1/(3/2) = 2/3.
        let (p, r, f1) = precision_recall_f1(&top(&scores, 4), &wrong).unwrap();
        assert_eq!((p, r), (0.5, 1.0));
        assert!((f1 - 2.0 / 3.0).abs() < 1e-15);
    }

    /// A constant score ranks nothing: AUROC ½, AP the base rate; a 0/1 score's AUROC is the
    /// balanced accuracy.
    #[test]
    fn ties_and_degenerate_cases() {
        let wrong = [true, false, false, false];
        assert_eq!(auroc(&[1.0; 4], &wrong), Some(0.5));
        assert_eq!(average_precision(&[1.0; 4], &wrong), Some(0.25));
        // Flag {0, 1}: TPR 1, FPR 1/3 → (1 + 2/3)/2.
        let auc = auroc(&[1.0, 1.0, 0.0, 0.0], &wrong).unwrap();
        assert!((auc - 5.0 / 6.0).abs() < 1e-15);
        assert_eq!(auroc(&[0.3; 2], &[false, false]), None);
        assert_eq!(precision_recall_f1(&[false; 2], &[false, false]), None);
        assert_eq!(
            precision_recall_f1(&[false, false], &[true, false]),
            Some((0.0, 0.0, 0.0))
        );
    }
}
