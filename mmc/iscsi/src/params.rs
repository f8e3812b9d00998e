//! Operational parameter negotiation (RFC 7143 §6.2 negotiation rules, §13 the keys).
//!
//! The target's offers are in [`Offer`]; [`Negotiated`] starts at the RFC defaults and each
//! key the initiator sends is answered by [`Negotiated::answer`]: list keys take the
//! initiator's first choice we support (§6.2.1), numerical keys their minimum or maximum
//! (§6.2.2), boolean keys their OR or AND (§6.2.2), declarative keys are recorded without
//! an answer (§6.2). Unknown keys are answered `NotUnderstood` (§6.2), an unacceptable
//! value `Reject` (§6.2: the key keeps its default).

use crate::text;

/// What the target offers or accepts (our side of each negotiation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    /// Our MaxRecvDataSegmentLength, declared to the initiator (§13.12).
    pub max_recv_data_segment: u32,
    /// MaxBurstLength we accept at most (§13.13).
    pub max_burst: u32,
    /// FirstBurstLength we accept at most (§13.14).
    pub first_burst: u32,
    /// CRC32C digests are acceptable (§13.1); else only None.
    pub digests: bool,
}

impl Default for Offer {
    fn default() -> Self {
        Offer {
            max_recv_data_segment: 65536,
            max_burst: 1 << 20,
            first_burst: 262_144,
            digests: true,
        }
    }
}

/// The session's operational parameters (RFC 7143 §13; defaults as listed there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    /// HeaderDigest=CRC32C (§13.1).
    pub header_digest: bool,
    /// DataDigest=CRC32C (§13.1).
    pub data_digest: bool,
    /// The initiator's MaxRecvDataSegmentLength: the most we put in one PDU (§13.12).
    pub initiator_max_recv: u32,
    /// Our MaxRecvDataSegmentLength.
    pub target_max_recv: u32,
    /// MaxBurstLength (§13.13).
    pub max_burst: u32,
    /// FirstBurstLength (§13.14).
    pub first_burst: u32,
    /// InitialR2T (§13.10).
    pub initial_r2t: bool,
    /// ImmediateData (§13.11).
    pub immediate_data: bool,
    /// MaxOutstandingR2T (§13.17).
    pub max_outstanding_r2t: u32,
    /// DataPDUInOrder (§13.18).
    pub data_pdu_in_order: bool,
    /// DataSequenceInOrder (§13.19).
    pub data_sequence_in_order: bool,
    /// ErrorRecoveryLevel (§13.20).
    pub error_recovery_level: u32,
    /// DefaultTime2Wait (§13.15).
    pub time2wait: u32,
    /// DefaultTime2Retain (§13.16).
    pub time2retain: u32,
    /// MaxConnections (§13.2).
    pub max_connections: u32,
}

impl Negotiated {
    /// The RFC defaults, with our receive limit.
    pub fn new(offer: &Offer) -> Self {
        Negotiated {
            header_digest: false,
            data_digest: false,
            initiator_max_recv: 8192,
            target_max_recv: offer.max_recv_data_segment,
            max_burst: 262_144.min(offer.max_burst),
            first_burst: 65536.min(offer.first_burst),
            initial_r2t: true,
            immediate_data: true,
            max_outstanding_r2t: 1,
            data_pdu_in_order: true,
            data_sequence_in_order: true,
            error_recovery_level: 0,
            time2wait: 2,
            time2retain: 20,
            max_connections: 1,
        }
    }

    /// The first burst as used: never over MaxBurstLength (§13.14: FirstBurstLength MUST
    /// NOT exceed MaxBurstLength).
    pub fn effective_first_burst(&self) -> u32 {
        self.first_burst.min(self.max_burst)
    }
}

/// How an operational key was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Reply `key=value`.
    Reply(String),
    /// A declaration: recorded, no reply (§6.2).
    Declared,
    /// Not an operational key of ours: the caller decides (security keys, names).
    NotOperational,
}

const YES: &str = "Yes";
const NO: &str = "No";

fn boolean(v: &str) -> Option<bool> {
    match v {
        YES => Some(true),
        NO => Some(false),
        _ => None,
    }
}

fn yes_no(b: bool) -> String {
    if b { YES } else { NO }.to_string()
}

fn in_range(v: &str, lo: u64, hi: u64) -> Option<u32> {
    text::number(v)
        .filter(|n| (lo..=hi).contains(n))
        .and_then(|n| u32::try_from(n).ok())
}

const MAX_LEN: u64 = (1 << 24) - 1;

impl Negotiated {
    /// Answers one key the initiator sent (RFC 7143 §13 per key).
    pub fn answer(&mut self, key: &str, value: &str, offer: &Offer) -> Answer {
        let reject = || Answer::Reply("Reject".into());
        match key {
            "HeaderDigest" | "DataDigest" => {
                // List, the initiator's order of preference (§6.2.1, §13.1).
                let pick = value
                    .split(',')
                    .find(|c| *c == "None" || (offer.digests && *c == "CRC32C"));
                match pick {
                    Some(c) => {
                        let on = c == "CRC32C";
                        if key == "HeaderDigest" {
                            self.header_digest = on;
                        } else {
                            self.data_digest = on;
                        }
                        Answer::Reply(c.to_string())
                    }
                    None => reject(),
                }
            }
            "MaxRecvDataSegmentLength" => match in_range(value, 512, MAX_LEN) {
                Some(n) => {
                    self.initiator_max_recv = n;
                    Answer::Declared
                }
                None => reject(),
            },
            "MaxBurstLength" => match in_range(value, 512, MAX_LEN) {
                Some(n) => {
                    self.max_burst = n.min(offer.max_burst);
                    Answer::Reply(self.max_burst.to_string())
                }
                None => reject(),
            },
            "FirstBurstLength" => match in_range(value, 512, MAX_LEN) {
                Some(n) => {
                    self.first_burst = n.min(offer.first_burst);
                    Answer::Reply(self.first_burst.to_string())
                }
                None => reject(),
            },
            // Boolean OR (§13.10): we accept unsolicited data, so the initiator decides.
            "InitialR2T" => match boolean(value) {
                Some(b) => {
                    self.initial_r2t = b;
                    Answer::Reply(yes_no(b))
                }
                None => reject(),
            },
            // Boolean AND (§13.11): we take immediate data, so the initiator decides.
            "ImmediateData" => match boolean(value) {
                Some(b) => {
                    self.immediate_data = b;
                    Answer::Reply(yes_no(b))
                }
                None => reject(),
            },
            // Minimum (§13.17): one R2T at a time.
            "MaxOutstandingR2T" => match in_range(value, 1, 65535) {
                Some(_) => {
                    self.max_outstanding_r2t = 1;
                    Answer::Reply("1".into())
                }
                None => reject(),
            },
            // Boolean OR (§13.18, §13.19): we need data in order, so always Yes.
            "DataPDUInOrder" | "DataSequenceInOrder" => match boolean(value) {
                Some(_) => Answer::Reply(YES.into()),
                None => reject(),
            },
            // Minimum (§13.20): level 0 only.
            "ErrorRecoveryLevel" => match in_range(value, 0, 2) {
                Some(_) => {
                    self.error_recovery_level = 0;
                    Answer::Reply("0".into())
                }
                None => reject(),
            },
            // Maximum (§13.15).
            "DefaultTime2Wait" => match in_range(value, 0, 3600) {
                Some(n) => {
                    self.time2wait = n.max(2);
                    Answer::Reply(self.time2wait.to_string())
                }
                None => reject(),
            },
            // Minimum (§13.16): nothing is kept for reinstatement at level 0.
            "DefaultTime2Retain" => match in_range(value, 0, 3600) {
                Some(_) => {
                    self.time2retain = 0;
                    Answer::Reply("0".into())
                }
                None => reject(),
            },
            // Minimum (§13.2): one connection per session.
            "MaxConnections" => match in_range(value, 1, 65535) {
                Some(_) => {
                    self.max_connections = 1;
                    Answer::Reply("1".into())
                }
                None => reject(),
            },
            // RFC 3720 §12.19-12.20 markers, removed by RFC 7143 (§13 list): we use none.
            "IFMarker" | "OFMarker" => Answer::Reply(NO.into()),
            "IFMarkInt" | "OFMarkInt" => Answer::Reply("Irrelevant".into()),
            // RFC 7144 §2.1: the level we implement is RFC 7143's, 1 (minimum).
            "iSCSIProtocolLevel" => match in_range(value, 0, 31) {
                Some(n) => Answer::Reply(n.min(1).to_string()),
                None => reject(),
            },
            _ => Answer::NotOperational,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys libiscsi (QEMU's initiator) sends, answered as RFC 7143 §13 says.
    #[test]
    fn libiscsi_offer() {
        let offer = Offer::default();
        let mut n = Negotiated::new(&offer);
        let r = |n: &mut Negotiated, k: &str, v: &str| n.answer(k, v, &offer);
        assert_eq!(
            r(&mut n, "HeaderDigest", "None,CRC32C"),
            Answer::Reply("None".into())
        );
        assert_eq!(
            r(&mut n, "DataDigest", "CRC32C,None"),
            Answer::Reply("CRC32C".into())
        );
        assert!(n.data_digest && !n.header_digest);
        assert_eq!(r(&mut n, "InitialR2T", "No"), Answer::Reply("No".into()));
        assert_eq!(
            r(&mut n, "ImmediateData", "Yes"),
            Answer::Reply("Yes".into())
        );
        assert_eq!(
            r(&mut n, "MaxBurstLength", "16776192"),
            Answer::Reply("1048576".into())
        );
        assert_eq!(
            r(&mut n, "FirstBurstLength", "262144"),
            Answer::Reply("262144".into())
        );
        assert_eq!(
            r(&mut n, "MaxRecvDataSegmentLength", "262144"),
            Answer::Declared
        );
        assert_eq!(n.initiator_max_recv, 262144);
        assert_eq!(
            r(&mut n, "ErrorRecoveryLevel", "2"),
            Answer::Reply("0".into())
        );
        assert_eq!(
            r(&mut n, "DefaultTime2Wait", "0"),
            Answer::Reply("2".into())
        );
        assert_eq!(r(&mut n, "MaxConnections", "8"), Answer::Reply("1".into()));
        assert_eq!(
            r(&mut n, "MaxBurstLength", "100"),
            Answer::Reply("Reject".into())
        );
        assert_eq!(
            r(&mut n, "HeaderDigest", "MD5"),
            Answer::Reply("Reject".into())
        );
        assert_eq!(r(&mut n, "X-com.example.Foo", "1"), Answer::NotOperational);
        let no_digests = Offer {
            digests: false,
            ..offer
        };
        assert_eq!(
            n.answer("HeaderDigest", "CRC32C,None", &no_digests),
            Answer::Reply("None".into())
        );
        n.max_burst = 8192;
        n.first_burst = 65536;
        assert_eq!(n.effective_first_burst(), 8192);
    }
}
