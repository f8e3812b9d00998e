#!/usr/bin/env python3
"""Writes the crafted seeds of the iSCSI fuzz targets into seeds/TARGET/ (RFC 7143 PDUs
built from the section 11 layouts: login without authentication, then SCSI commands with
immediate data, solicited Data-Out answering the target's first R2T (TTT 1), unsolicited
Data-Out, text, task management, NOP and logout). The libiscsi-* seeds beside them are
byte streams that libiscsi's tools (iscsi-ls, iscsi-inq, iscsi-test-cu) sent to
`discburn serve`, captured once by a TCP relay; the conn target's seeds start with one
byte picking the target (0 without CHAP, 1 with)."""
import os, struct, sys

here = os.path.dirname(os.path.abspath(__file__))
IQN = b"iqn.2026-12.invalid.discburn:drive"


def bhs(op, flags, data=b"", itt=1, lun=0, w5=0, sn1=0, sn2=0, rest=b""):
    h = bytearray(48)
    h[0], h[1] = op, flags
    n = len(data)
    h[5:8] = bytes([n >> 16 & 255, n >> 8 & 255, n & 255])
    h[8:16] = struct.pack(">Q", lun << 48)
    h[16:20] = struct.pack(">I", itt)
    h[20:24] = struct.pack(">I", w5)
    h[24:28] = struct.pack(">I", sn1)
    h[28:32] = struct.pack(">I", sn2)
    h[32:32 + len(rest)] = rest
    return bytes(h) + data + b"\0" * (-n % 4)


def text(*kv):
    return b"".join(k + b"=" + v + b"\0" for k, v in kv)


def login(csg, nsg, data, isid=b"\x80\0\0\x12\x34\x56"):
    p = bytearray(bhs(0x43, 0x80 | csg << 2 | nsg, data, itt=0, sn1=1))
    p[8:14] = isid
    p[14:16] = b"\0\0"
    return bytes(p)


def logged_in(extra=()):
    return login(0, 1, text((b"InitiatorName", b"iqn.2026-12.test:seed"), (b"TargetName", IQN),
                            (b"SessionType", b"Normal"), (b"AuthMethod", b"None"))) + \
        login(1, 3, text((b"HeaderDigest", b"None"), (b"DataDigest", b"None"),
                         (b"MaxRecvDataSegmentLength", b"65536"), *extra))


def cmd(itt, sn, cdb, edtl, rw, lun=1, data=b"", final=True):
    return bhs(0x01, (0x80 if final else 0) | rw, data, itt=itt, lun=lun, w5=edtl, sn1=sn,
               rest=cdb.ljust(16, b"\0"))


def data_out(itt, ttt, dsn, off, data, final, lun=1):
    return bhs(0x05, 0x80 if final else 0, data, itt=itt, lun=lun, w5=ttt,
               rest=b"\0" * 4 + struct.pack(">II", dsn, off))


seeds = {
    "pdu": {}, "conn": {}, "text": {},
}
write = logged_in() + \
    cmd(1, 1, b"\x00", 0, 0) + \
    cmd(2, 2, b"\x12\0\0\0\x24\0", 36, 0x40) + \
    cmd(3, 3, b"\x2a\0\0\0\0\0\0\0\x02\0", 4096, 0x20, data=b"\xab" * 512) + \
    data_out(3, 1, 0, 512, b"\xcd" * 1536, False) + data_out(3, 1, 1, 2048, b"\xef" * 2048, True) + \
    cmd(4, 4, b"\x28\0\0\0\0\0\0\0\x01\0", 2048, 0x40) + \
    cmd(5, 5, b"\xa0\0\0\0\0\0\0\0\0\x10\0\0", 16, 0x40, lun=0) + \
    bhs(0x42, 0x81, itt=6, lun=1, w5=3, sn1=6) + \
    bhs(0x42, 0x85, itt=7, lun=1, w5=0xFFFFFFFF, sn1=6) + \
    bhs(0x44, 0x80, text((b"SendTargets", b"All")), itt=8, w5=0xFFFFFFFF, sn1=6) + \
    bhs(0x40, 0x80, b"ping", itt=9, w5=0xFFFFFFFF, sn1=7) + \
    cmd(10, 7, b"\xff", 0, 0) + \
    bhs(0x46, 0x80, itt=11, sn1=7)
seeds["pdu"]["write-r2t-tmf-text-nop-logout"] = write
seeds["conn"]["write-r2t-tmf-text-nop-logout"] = b"\0" + write
unsol = logged_in([(b"InitialR2T", b"No"), (b"ImmediateData", b"Yes"), (b"FirstBurstLength", b"4096")]) + \
    cmd(1, 1, b"\x2a\0\0\0\0\0\0\0\x04\0", 8192, 0x20, data=b"\x11" * 1024, final=False) + \
    data_out(1, 0xFFFFFFFF, 0, 1024, b"\x22" * 3072, True) + \
    data_out(1, 1, 0, 4096, b"\x33" * 4096, True) + \
    bhs(0x46, 0x80, itt=2, sn1=2)
seeds["pdu"]["unsolicited-data"] = unsol
seeds["conn"]["unsolicited-data"] = b"\0" + unsol
chap = login(0, 1, text((b"InitiatorName", b"iqn.2026-12.test:seed"), (b"TargetName", IQN),
                        (b"AuthMethod", b"CHAP,None"))) + \
    login(0, 1, text((b"CHAP_A", b"5"))) + \
    login(0, 1, text((b"CHAP_N", b"user"), (b"CHAP_R", b"0x" + b"00" * 16)))
seeds["conn"]["chap-wrong-response"] = b"\1" + chap
seeds["pdu"]["chap"] = chap
disc = login(0, 3, text((b"InitiatorName", b"iqn.2026-12.test:seed"), (b"SessionType", b"Discovery"),
                        (b"AuthMethod", b"None"), (b"HeaderDigest", b"CRC32C,None"))) + \
    bhs(0x44, 0x80, text((b"SendTargets", b"All")), itt=1, w5=0xFFFFFFFF, sn1=1)
seeds["conn"]["discovery"] = b"\0" + disc
seeds["text"]["operational"] = text(
    (b"HeaderDigest", b"CRC32C,None"), (b"DataDigest", b"CRC32C"), (b"MaxRecvDataSegmentLength", b"262144"),
    (b"MaxBurstLength", b"0x100000"), (b"FirstBurstLength", b"65536"), (b"InitialR2T", b"No"),
    (b"ImmediateData", b"Yes"), (b"MaxOutstandingR2T", b"1"), (b"DataPDUInOrder", b"Yes"),
    (b"DataSequenceInOrder", b"Yes"), (b"ErrorRecoveryLevel", b"2"), (b"DefaultTime2Wait", b"2"),
    (b"DefaultTime2Retain", b"0"), (b"MaxConnections", b"1"), (b"IFMarker", b"No"),
    (b"X-com.example.Key", b"1"))
seeds["text"]["security"] = text(
    (b"InitiatorName", b"iqn.2026-12.test:seed"), (b"TargetName", IQN), (b"SessionType", b"Normal"),
    (b"AuthMethod", b"CHAP,None"), (b"CHAP_A", b"5"), (b"CHAP_N", b"user"),
    (b"CHAP_R", b"0x0123456789abcdef0123456789abcdef"), (b"CHAP_C", b"0bAAECAwQFBgcICQoLDA0ODw=="))
for target, files in seeds.items():
    d = os.path.join(here, "seeds", target)
    os.makedirs(d, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
print("seeds written under", os.path.join(here, "seeds"))
