#include "host/sweep/filter_expr.h"

#include <cctype>
#include <cmath>
#include <vector>

#include "sim/core/error.h"

namespace keymac {

struct FilterExpr::Node {
  enum Kind { kNum, kStr, kVar, kUnary, kBinary } kind;
  double num = 0;
  std::string str;  // string literal, identifier or operator
  std::shared_ptr<const Node> a, b;
};

namespace {

using NodeP = std::shared_ptr<const FilterExpr::Node>;
using Node = FilterExpr::Node;

// Limits that keep parsing, evaluation and destruction (all recursive) far
// from the stack's end: 100k nested parentheses or a 300k-term sum are one
// line of error, not a SIGSEGV.
constexpr size_t kMaxLength = 4096;  // characters of one expression
constexpr int kMaxDepth = 64;        // nested parentheses and unary operators

// The expression as quoted in messages: one line, at most 60 characters.
std::string shown(const std::string& t) {
  std::string s;
  for (char c : t.substr(0, 60)) s += std::iscntrl(static_cast<unsigned char>(c)) ? '?' : c;
  return t.size() > 60 ? s + "..." : s;
}

class Parser {
 public:
  explicit Parser(const std::string& t) : t_(t) {}

  NodeP parse() {
    if (t_.size() > kMaxLength)
      throw Error("drop_if \"" + shown(t_) + "\": expression of " + std::to_string(t_.size()) +
                  " characters is over the limit of " + std::to_string(kMaxLength));
    NodeP n = parse_or();
    skip();
    if (p_ != t_.size()) fail("unexpected '" + t_.substr(p_, 1) + "'");
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw Error("drop_if \"" + shown(t_) + "\": " + why + " at column " + std::to_string(p_ + 1));
  }
  void skip() {
    while (p_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[p_]))) ++p_;
  }
  bool eat(const char* op) {
    skip();
    const size_t n = std::char_traits<char>::length(op);
    if (t_.compare(p_, n, op) != 0) return false;
    // "<" must not match the start of "<=", "=" alone is not an operator.
    if (n == 1 && p_ + 1 < t_.size() && t_[p_ + 1] == '=' && (op[0] == '<' || op[0] == '>' || op[0] == '!')) return false;
    p_ += n;
    return true;
  }
  static NodeP bin(const std::string& op, NodeP a, NodeP b) {
    auto n = std::make_shared<Node>();
    n->kind = Node::kBinary;
    n->str = op;
    n->a = std::move(a);
    n->b = std::move(b);
    return n;
  }
  NodeP parse_or() {
    NodeP n = parse_and();
    while (eat("||")) n = bin("||", n, parse_and());
    return n;
  }
  NodeP parse_and() {
    NodeP n = parse_cmp();
    while (eat("&&")) n = bin("&&", n, parse_cmp());
    return n;
  }
  NodeP parse_cmp() {
    NodeP n = parse_sum();
    for (const char* op : {"==", "!=", "<=", ">=", "<", ">"})
      if (eat(op)) return bin(op, n, parse_sum());
    return n;
  }
  NodeP parse_sum() {
    NodeP n = parse_term();
    for (;;) {
      if (eat("+")) n = bin("+", n, parse_term());
      else if (eat("-")) n = bin("-", n, parse_term());
      else return n;
    }
  }
  NodeP parse_term() {
    NodeP n = parse_unary();
    for (;;) {
      if (eat("*")) n = bin("*", n, parse_unary());
      else if (eat("/")) n = bin("/", n, parse_unary());
      else if (eat("%")) n = bin("%", n, parse_unary());
      else return n;
    }
  }
  void enter() {
    if (++depth_ > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  NodeP parse_unary() {
    if (eat("!") || eat("-")) {
      auto n = std::make_shared<Node>();
      n->kind = Node::kUnary;
      n->str = t_[p_ - 1] == '!' ? "!" : "-";
      enter();
      n->a = parse_unary();
      --depth_;
      return n;
    }
    return parse_atom();
  }
  NodeP parse_atom() {
    skip();
    if (p_ >= t_.size()) fail("unexpected end");
    auto n = std::make_shared<Node>();
    const char c = t_[p_];
    if (c == '(') {
      ++p_;
      enter();
      NodeP inner = parse_or();
      if (!eat(")")) fail("missing ')'");
      --depth_;
      return inner;
    }
    if (c == '"') {
      const size_t end = t_.find('"', p_ + 1);
      if (end == std::string::npos) fail("unterminated string");
      n->kind = Node::kStr;
      n->str = t_.substr(p_ + 1, end - p_ - 1);
      p_ = end + 1;
      return n;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      size_t used = 0;
      try {
        n->num = std::stod(t_.substr(p_), &used);
      } catch (...) {
        fail("bad number");
      }
      n->kind = Node::kNum;
      p_ += used;
      return n;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t e = p_;
      while (e < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[e])) || t_[e] == '_')) ++e;
      const std::string id = t_.substr(p_, e - p_);
      p_ = e;
      if (id == "true" || id == "false") {
        n->kind = Node::kNum;
        n->num = id == "true" ? 1 : 0;
      } else {
        n->kind = Node::kVar;
        n->str = id;
      }
      return n;
    }
    fail("unexpected '" + std::string(1, c) + "'");
  }

  const std::string& t_;
  size_t p_ = 0;
  int depth_ = 0;
};

FilterValue eval_node(const Node& n, const FilterLookup& look, const std::string& text) {
  // `text` is already shown(): one line, short.
  auto num = [&](const FilterValue& v, const std::string& op) {
    if (auto* d = std::get_if<double>(&v)) return *d;
    throw Error("drop_if \"" + text + "\": operator '" + op + "' needs numbers, got the string \"" +
                shown(std::get<std::string>(v)) + "\"");
  };
  switch (n.kind) {
    case Node::kNum: return n.num;
    case Node::kStr: return n.str;
    case Node::kVar: {
      auto v = look(n.str);
      if (!v) throw Error("drop_if \"" + text + "\": unknown parameter '" + n.str + "'");
      return *v;
    }
    case Node::kUnary: {
      const double a = num(eval_node(*n.a, look, text), n.str);
      return n.str == "!" ? double(a == 0) : -a;
    }
    case Node::kBinary: break;
  }
  const std::string& op = n.str;
  if (op == "&&" || op == "||") {  // short-circuit
    const bool a = num(eval_node(*n.a, look, text), op) != 0;
    if (op == "&&" && !a) return 0.0;
    if (op == "||" && a) return 1.0;
    return double(num(eval_node(*n.b, look, text), op) != 0);
  }
  const FilterValue a = eval_node(*n.a, look, text), b = eval_node(*n.b, look, text);
  if (op == "==" || op == "!=") {
    if (a.index() != b.index())
      throw Error("drop_if \"" + text + "\": operator '" + op + "' compares a number with a string");
    return double((a == b) == (op == "=="));
  }
  const double x = num(a, op), y = num(b, op);
  if (op == "<") return double(x < y);
  if (op == "<=") return double(x <= y);
  if (op == ">") return double(x > y);
  if (op == ">=") return double(x >= y);
  if (op == "+") return x + y;
  if (op == "-") return x - y;
  if (op == "*") return x * y;
  if (op == "/") return y == 0 ? throw Error("drop_if \"" + text + "\": division by zero") : x / y;
  if (op == "%") return y == 0 ? throw Error("drop_if \"" + text + "\": division by zero") : std::fmod(x, y);
  throw Error("drop_if \"" + text + "\": internal: operator " + op);
}

}  // namespace

FilterExpr FilterExpr::parse(const std::string& text) {
  FilterExpr e;
  e.text_ = text;
  e.root_ = Parser(text).parse();
  return e;
}

bool FilterExpr::eval(const FilterLookup& lookup) const {
  const FilterValue v = eval_node(*root_, lookup, shown(text_));
  if (auto* d = std::get_if<double>(&v)) return *d != 0;
  throw Error("drop_if \"" + shown(text_) + "\": is a string, not a condition");
}

}  // namespace keymac
