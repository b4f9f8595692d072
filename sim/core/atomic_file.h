// Forwarder: the output layer lives in base/output_file.h.
#pragma once
#include "base/output_file.h"
