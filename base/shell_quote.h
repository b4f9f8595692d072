// Text written into generated shell scripts (sweep launchers).
// Contract: shell_quote(s) is one POSIX shell word that the shell reads back
// as exactly s (single quotes; ' becomes '\''), whatever s holds; words made
// only of [A-Za-z0-9_+-./=:,@%] are left bare. It cannot make a newline safe
// inside a `#` comment or a #SBATCH line: check_script_text() refuses control
// characters (one line naming `what`), and is_safe_name() is the character
// set for names that become file names and job names ([A-Za-z0-9._-], not
// starting with '-' or '.').
#pragma once
#include <string>

namespace keymac {

std::string shell_quote(const std::string& s);
bool is_safe_name(const std::string& s);
// Throws keymac::Error "<what>: '<s>' ..." when s holds a control character.
void check_script_text(const std::string& what, const std::string& s);

}  // namespace keymac
