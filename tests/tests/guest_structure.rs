//! Issue 11: dvd+rw-mediainfo (dvd+rw-tools) and sg_modes (sg3-utils) in the guest, through
//! real SG_IO, on blank discs served by `discburn serve` (one guest, six LUNs: DVD+R,
//! DVD-R, DVD+RW, DVD+R DL, BD-R, and a CD-R for wodim -checkdrive). dvd+rw-mediainfo reads READ DISC STRUCTURE formats FFh,
//! 00h, 10h, 11h, 0Eh, 20h (DVD) and 00h with media type 1 (BD); before the emulator
//! answered them it printed ":-[ READ DVD STRUCTURE#0 failed with SK=5h/ASC=20h/ACQ=00h]".
//! Now it prints no error, and the book type, media ID and lead-out of MMC-6 §6.23.3 /
//! ECMA-267 §3.3.1 (dvd+rw-mediainfo 7.1 prints the "Media Book Type" of its first legacy
//! READ DVD STRUCTURE from the buffer before the read, so only DVD-R's second one, format
//! 00h after 10h, shows the drive's book type; the unit tests check the byte). sg_modes -6 reads page 2Ah with MODE SENSE(6) (SPC-4 §6.11), which the
//! emulator refused as an invalid operation code before.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use discburn_tests::{ServedDrives, Vm};

#[test]
fn dvd_rw_mediainfo_and_mode_sense6_on_served_media() {
    // (profile, lines dvd+rw-mediainfo must print)
    let media: [(&str, &[&str]); 5] = [
        (
            "dvd+r",
            &[
                "Mounted Media:         1Bh, DVD+R",
                "Media ID:              DISCBURN/EMU",
                "Legacy lead-out at:    2295104*2KB=4700372992",
            ],
        ),
        (
            "dvd-r",
            &[
                "Mounted Media:         11h, DVD-R Sequential",
                "Media ID:              DISCBURN-EMU",
                "READ DVD STRUCTURE[#10h]:",
                "Media Book Type:       25h, DVD-R book [revision 5]",
                "Legacy lead-out at:    2298496*2KB=4707319808",
            ],
        ),
        (
            "dvd+rw",
            &[
                "Mounted Media:         1Ah, DVD+RW",
                "Media ID:              DISCBURN/EMU",
                "Legacy lead-out at:    2295104*2KB=4700372992",
            ],
        ),
        (
            "dvd+r-dl",
            &[
                "Mounted Media:         2Bh, DVD+R Double Layer",
                // layer 0 of the two (bytes 13-15 of the layer descriptor)
                "Legacy lead-out at:    2086912*2KB=4273995776",
                "L0 Data Zone Capacity: 2086912*2KB, can still be set",
            ],
        ),
        (
            "bd-r",
            &[
                "Mounted Media:         41h, BD-R SRM",
                "Media ID:              DISCBU/EMU",
            ],
        ),
    ];
    let mut options: Vec<String> = media.iter().map(|(p, _)| format!("profile={p}")).collect();
    // LUN 6: a CD-R for wodim's drive probe
    options.push("profile=cd-r".into());
    let mut served = ServedDrives::start(&options, &[]).unwrap();
    let mut vm = Vm::new();
    for i in 0..options.len() {
        vm.iscsi(i as u8, served.url(i + 1).to_string());
    }
    let dev = |id: usize| format!("D=/dev/$(ls /sys/bus/scsi/devices/*:0:{id}:0/block)");
    for (id, _) in media.iter().enumerate() {
        vm.named(
            &format!("mediainfo{id}"),
            format!("{}; dvd+rw-mediainfo $D", dev(id)),
        );
    }
    // libburn (xorriso -toc) reads the media product ID from formats 11h (DVD+), 0Eh
    // (DVD-R) and 00h with media type 1 (BD) (mmc.c mmc_get_media_product_id)
    for id in [0usize, 1, 4] {
        vm.named(
            &format!("xorriso{id}"),
            format!("{}; xorriso -outdev $D -toc 2>&1", dev(id)),
        );
    }
    vm.named("kernel", "dmesg | grep -e 'drive:' -e 'scsi-1 drive'");
    vm.named("modes6", format!("{}; sg_modes -6 -p 0x2a $D", dev(0)));
    vm.named(
        "checkdrive",
        format!("{}; wodim -VV -checkdrive dev=$D 2>&1", dev(5)),
    );
    let run = vm
        .timeout(std::time::Duration::from_secs(300))
        .run()
        .unwrap();
    assert!(served.stop().unwrap().success(), "{}", served.log());
    // QEMU's iSCSI driver probes each LUN with MODE SENSE(6) page 3Fh (block/iscsi.c,
    // iscsi_modesense_sync) and warned "iSCSI: Failed MODE_SENSE(6), LUN assumed writable"
    // while the emulator refused the command
    assert!(
        !run.qemu_stderr.contains("MODE_SENSE"),
        "QEMU: {}",
        run.qemu_stderr
    );

    for (id, (profile, want)) in media.iter().enumerate() {
        let o = run.get(&format!("mediainfo{id}"));
        o.assert_success();
        let out = o.stdout_str();
        for w in *want {
            assert!(out.contains(w), "{profile}: no {w:?} in\n{}", o.describe());
        }
        // sperror's ":-[ ... failed with SK=..." and the ":-(" complaints go to stderr
        let err = o.stderr_str();
        assert!(
            !err.contains("failed with") && !err.contains(":-("),
            "{profile}: dvd+rw-mediainfo reported errors:\n{}",
            o.describe()
        );
    }
    // libburn prints the revision from byte 28 of the DVD+ ADIP (the media type's second
    // byte, 'M' = 77 here), dvd+rw-mediainfo and the DVD+R book take bytes 27-29 as the
    // media type: only the manufacturer and media type are compared
    for (id, want) in [
        (0, "Media product: DISCBURN/EMU/"),
        (1, "Media product: DISCBURN-EMU ,"),
        (4, "Media product: DISCBU/EMU/1 ,"),
    ] {
        let o = run.get(&format!("xorriso{id}"));
        o.assert_success();
        let out = o.stdout_str();
        assert!(out.contains(want), "no {want:?}: {}", o.describe());
        assert!(!out.contains("FAILURE"), "{}", o.describe());
    }
    // the sr driver reads page 2Ah at probe (get_capabilities, MODE SENSE); a refusal would
    // leave "scsi-1 drive" with no writer capabilities
    let o = run.get("kernel");
    let k = o.stdout_str();
    assert_eq!(
        k.matches("scsi3-mmc drive:").count(),
        6,
        "one MMC drive per LUN: {}",
        o.describe()
    );
    assert!(!k.contains("scsi-1 drive"), "{}", o.describe());
    assert!(k.contains("writer cd/rw cdda tray"), "{}", o.describe());
    let o = run.get("modes6");
    o.assert_success();
    let out = o.stdout_str();
    // sg_modes decodes the 4-byte header (SPC-4 §7.5.5 table 450) and names the page
    for want in [
        "Mode parameter header from MODE SENSE(6)",
        "Block descriptor length=0",
        "MM capabilities and mechanical status",
        " 00     2a ",
    ] {
        assert!(out.contains(want), "no {want:?}: {}", o.describe());
    }

    // wodim's drive probe asks MODE SENSE(10) for the vendor page 30h; a drive without the
    // page answers ILLEGAL REQUEST, INVALID FIELD IN CDB (SPC-4 §6.12, as the emulator
    // does), and wodim goes on to pick its MMC CD-R driver and the write modes it probed
    let o = run.get("checkdrive");
    o.assert_success();
    let out = o.stdout_str();
    assert!(out.contains("CDB:  5A 00 30 00"), "{}", o.describe());
    assert!(
        out.contains("Sense Code: 0x24 Qual 0x00 (invalid field in cdb)"),
        "{}",
        o.describe()
    );
    for want in [
        "Using generic SCSI-3/mmc   CD-R/CD-RW driver (mmc_cdr).",
        "Supported modes: TAO PACKET SAO",
    ] {
        assert!(out.contains(want), "no {want:?}: {}", o.describe());
    }
}
