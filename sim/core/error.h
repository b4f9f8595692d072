// Forwarder: keymac::Error lives in base/error.h (base/ holds what every layer uses).
#pragma once
#include "base/error.h"
