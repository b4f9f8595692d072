// A tiny expression language for dropping sweep points (docs/SWEEP.md):
//   rows * cols > 1024 && backend == "systemc"
// Numbers, double-quoted strings, true/false, identifiers (point parameters),
// + - * / %, comparisons == != < <= > >=, && || !, parentheses.
// Contract: parse() throws keymac::Error naming the expression on a syntax
// error; eval() throws keymac::Error naming an unknown identifier or a type
// mismatch (e.g. a string compared with <). A comparison or logic result is
// a number (1 or 0); the expression is true when its value is nonzero.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace keymac {

using FilterValue = std::variant<double, std::string>;
// Looks up an identifier; nullopt when the point has no such parameter.
using FilterLookup = std::function<std::optional<FilterValue>(const std::string&)>;

class FilterExpr {
 public:
  struct Node;
  static FilterExpr parse(const std::string& text);
  bool eval(const FilterLookup& lookup) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::shared_ptr<const Node> root_;
};

}  // namespace keymac
