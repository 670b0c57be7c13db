//! Where each row of a user's file goes in the split: the map the streaming readers
//! (`npy_features`, `csv_features`) fill their arrays by.

/// Where each row of a file goes: which part and at which position, or nowhere.
pub struct RowSlots<const P: usize> {
    /// position · P + part, or `NONE`.
    slot: Vec<usize>,
}

const NONE: usize = usize::MAX;

impl<const P: usize> RowSlots<P> {
    /// For a file of `rows` rows; each part lists its rows (0-based) in its order.
    pub fn new(rows: usize, parts: [&[usize]; P]) -> RowSlots<P> {
        let mut slot = vec![NONE; rows];
        for (part, list) in parts.iter().enumerate() {
            for (pos, &row) in list.iter().enumerate() {
                slot[row] = pos * P + part;
            }
        }
        RowSlots { slot }
    }

    /// (part, position) of `row`, if a part takes it.
    #[inline]
    pub fn of(&self, row: usize) -> Option<(usize, usize)> {
        let s = self.slot[row];
        (s != NONE).then(|| (s % P, s / P))
    }
}
