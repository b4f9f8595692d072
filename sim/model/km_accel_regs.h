// The register map of the KmAccel TLM-2.0 component (docs/SYSTEMC.md
// "TLM-2.0 component"): byte offsets from the component's base address on its
// target socket, 32-bit little-endian registers. Written once here; the
// component, its host driver, the tests and the example platform use these
// names (the table in the docs is this header in prose).
//
// Contract:
//  * Accesses are whole registers: the address is 4-byte aligned and the
//    length a multiple of 4 (a longer access covers consecutive registers, so
//    a 64-bit write fills a _LO/_HI pair). Anything else is answered with
//    TLM_ADDRESS_ERROR_RESPONSE / TLM_BURST_ERROR_RESPONSE; unknown offsets
//    with TLM_ADDRESS_ERROR_RESPONSE; writes to read-only registers with
//    TLM_COMMAND_ERROR_RESPONSE.
//  * Write-only registers (CTRL, KEY_DATA) read as 0: nothing reads the key back.
#pragma once
#include <cstdint>

namespace keymac::km_reg {

// --- identification (RO)
constexpr uint64_t kId = 0x00;        // kIdValue
constexpr uint64_t kGeometry = 0x04;  // rows [15:0], cols [31:16]
// --- control (WO)
constexpr uint64_t kCtrl = 0x08;
constexpr uint32_t kCtrlGo = 1u << 0;     // enqueue the descriptor (X/W/Y/M/K/N) as a command
constexpr uint32_t kCtrlReset = 1u << 1;  // rst_ni: key register cleared, counters and errors cleared (idle only)
constexpr uint32_t kCtrlClearError = 1u << 2;  // clears STATUS.ERROR (not KEY_ERR, not the key)
// --- status (RO)
constexpr uint64_t kStatus = 0x0C;
constexpr uint32_t kStatusBusy = 1u << 0;       // a command is queued or running
constexpr uint32_t kStatusKeySealed = 1u << 1;  // all R*C key bits loaded
constexpr uint32_t kStatusKeyErr = 1u << 2;     // sticky: a key bit arrived while sealed
constexpr uint32_t kStatusError = 1u << 3;      // sticky: bad descriptor, full queue or bus error
constexpr uint32_t kStatusQueueFull = 1u << 4;  // GO would be refused
constexpr int kStatusQueueLevelShift = 8;       // bits [15:8]: commands queued or running
// --- key port (WO): 32 key bits per write, bit 0 first, in serial port order
// (row-major PE order). Each write shifts min(32, bits still missing) bits into
// the key register, one per cycle; a write after the register sealed sets KEY_ERR.
constexpr uint64_t kKeyData = 0x10;
// --- layer descriptor (RW): system-memory byte addresses of X (M x K int8,
// row-major), W (K x N int8, as stored: locked), Y (M x N int32 result)
constexpr uint64_t kXAddrLo = 0x20, kXAddrHi = 0x24;
constexpr uint64_t kWAddrLo = 0x28, kWAddrHi = 0x2C;
constexpr uint64_t kYAddrLo = 0x30, kYAddrHi = 0x34;
constexpr uint64_t kM = 0x38, kK = 0x3C, kN = 0x40;
// --- counters (RO), cleared by CTRL.RESET
constexpr uint64_t kDoneCount = 0x44;        // commands completed
constexpr uint64_t kCyclesLo = 0x48, kCyclesHi = 0x4C;          // layer cycles, all commands
constexpr uint64_t kStallsLo = 0x50, kStallsHi = 0x54;          // stall cycles, all commands
constexpr uint64_t kLastCyclesLo = 0x58, kLastCyclesHi = 0x5C;  // cycles of the last command
constexpr uint64_t kLastStallsLo = 0x60, kLastStallsHi = 0x64;  // stall cycles of the last command
constexpr uint64_t kKeyLoadCycles = 0x68;    // cycles spent shifting key bits
constexpr uint64_t kQueueDepth = 0x6C;       // command queue capacity
// --- expanded key mode (ARCHITECTURE.md section 11). KEY_MODE (RW) is latched
// by the next CTRL.RESET: 0 periodic (KEY_DATA fills the R*C key register),
// 1 expanded (KEY_DATA fills the 80-bit master-key register, same loading and
// sealing rules; every command then starts with the key unit's warm-up).
// Other values are refused (TLM_GENERIC_ERROR_RESPONSE). A plain instance
// (keyed = false) keeps KEY_MODE but has neither register.
constexpr uint64_t kKeyMode = 0x70;
constexpr uint32_t kKeyModePeriodic = 0, kKeyModeExpanded = 1;
// NONCE (RW, public): IV bytes 0..7 of the expanded key (the package's nonce),
// captured by CTRL.GO. LAYER (RW, descriptor): IV bytes 8..9, the model's GEMM
// layer index 0..65535, captured by CTRL.GO (a larger value is a bad descriptor
// in expanded mode). Both are 0 after construction and ignored in periodic mode.
constexpr uint64_t kNonceLo = 0x74, kNonceHi = 0x78;
constexpr uint64_t kLayer = 0x7C;
// NOW (RO): device cycles since the instance (or its context) was created —
// key loads and commands, warm-up included; not cleared by CTRL.RESET. It is
// the time base of the VCD trace window.
constexpr uint64_t kNowLo = 0x80, kNowHi = 0x84;
constexpr uint64_t kLastWarmup = 0x88;       // warm-up cycles of the last command (in LAST_CYCLES)
constexpr uint64_t kSize = 0x8C;             // bytes of register space

constexpr uint32_t kIdValue = 0x4B4D4143;  // "KMAC"

}  // namespace keymac::km_reg
