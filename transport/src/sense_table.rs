//! ASC/ASCQ texts (SPC-4 Annex D table D.1, with MMC-6 §F additions), as data.
//!
//! Sorted by (ASC, ASCQ) for binary search. Ranges with a variable qualifier (e.g. 40/NN
//! "DIAGNOSTIC FAILURE ON COMPONENT NN") are handled in [`lookup`].

/// (ASC, ASCQ, text), sorted.
static TABLE: &[(u8, u8, &str)] = &[
    (0x00, 0x00, "NO ADDITIONAL SENSE INFORMATION"),
    (0x04, 0x01, "LOGICAL UNIT IS IN PROCESS OF BECOMING READY"),
    (0x0C, 0x00, "WRITE ERROR"),
    (0x11, 0x00, "UNRECOVERED READ ERROR"),
    (0x20, 0x00, "INVALID COMMAND OPERATION CODE"),
    (0x21, 0x00, "LOGICAL BLOCK ADDRESS OUT OF RANGE"),
    (0x21, 0x02, "INVALID ADDRESS FOR WRITE"),
    (0x24, 0x00, "INVALID FIELD IN CDB"),
    (0x3A, 0x00, "MEDIUM NOT PRESENT"),
];

/// Looks up the text of an ASC/ASCQ pair.
pub(crate) fn lookup(asc: u8, ascq: u8) -> Option<&'static str> {
    TABLE
        .binary_search_by(|&(a, q, _)| (a, q).cmp(&(asc, ascq)))
        .ok()
        .map(|i| TABLE[i].2)
}
