//! A transport wrapper that injects faults for tests: errors, sense, garbage data.
