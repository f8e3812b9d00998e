//! TEST UNIT READY (SPC-4 §6.47, MMC-6 §6.44): no data; the status tells readiness.

use transport::Cdb;

use super::op;

/// The TEST UNIT READY CDB.
pub fn cdb() -> Cdb {
    Cdb::six([op::TEST_UNIT_READY, 0, 0, 0, 0, 0])
}

#[cfg(test)]
mod tests {
    #[test]
    fn cdb_is_all_zero() {
        assert_eq!(super::cdb().as_bytes(), &[0u8; 6]);
    }
}
