//! Test support: the VM test bed (QEMU guest with real SG_IO, tgt over iSCSI) and helpers.
