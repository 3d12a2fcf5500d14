// Lexer, parser and type-checking compiler of the condition language (see condition.h).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "ceiling/base/toml_reader.h"
#include "ceiling/rules/condition.h"

namespace ceiling::rules {
namespace {

enum class Tok { kEnd, kNum, kStr, kIdent, kLParen, kRParen, kComma, kCmp, kPlus, kMinus, kStar,
                 kSlash, kAnd, kOr, kNot, kTrue, kFalse };

struct Token {
  Tok kind = Tok::kEnd;
  std::size_t begin = 0, end = 0;
  double number = 0;
  std::string text;  // identifier or decoded string
  CmpOp cmp = CmpOp::kLt;
};

Error ErrorAt(std::string_view text, std::size_t offset, std::string message) {
  Error e = MakeError(ErrorCode::kParse, std::move(message),
                      SourceLocation{"", 1, static_cast<int>(offset) + 1});
  e.context = std::string(text);
  return e;
}

Result<std::vector<Token>> Lex(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto is_ident_start = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  auto is_ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while (true) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    Token t;
    t.begin = i;
    if (i >= s.size()) {
      t.kind = Tok::kEnd;
      t.end = i;
      out.push_back(t);
      return out;
    }
    const char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      std::size_t j = i;
      while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
      if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
        std::size_t k = j + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) {
          j = k;
          while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        }
      }
      const std::string num(s.substr(i, j - i));
      char* end = nullptr;
      t.number = std::strtod(num.c_str(), &end);
      if (end != num.c_str() + num.size() || std::count(num.begin(), num.end(), '.') > 1)
        return ErrorAt(s, i, fmt::format("malformed number \"{}\"", num));
      if (!std::isfinite(t.number))
        return ErrorAt(s, i, fmt::format("number out of range \"{}\"", num));
      if (j < s.size() && is_ident_start(s[j]))
        return ErrorAt(s, j, fmt::format("unexpected \"{}\" after the number {}: units are not "
                                         "written in conditions; use a named parameter with a unit",
                                         s[j], num));
      t.kind = Tok::kNum;
      i = j;
    } else if (is_ident_start(c)) {
      std::size_t j = i;
      while (j < s.size() && is_ident(s[j])) ++j;
      t.text = std::string(s.substr(i, j - i));
      if (t.text == "and") t.kind = Tok::kAnd;
      else if (t.text == "or") t.kind = Tok::kOr;
      else if (t.text == "not") t.kind = Tok::kNot;
      else if (t.text == "true") t.kind = Tok::kTrue;
      else if (t.text == "false") t.kind = Tok::kFalse;
      else t.kind = Tok::kIdent;
      i = j;
    } else if (c == '"') {
      std::size_t j = i + 1;
      std::string value;
      while (j < s.size() && s[j] != '"') {
        if (s[j] == '\\' && j + 1 < s.size()) ++j;
        value += s[j++];
      }
      if (j >= s.size()) return ErrorAt(s, i, "unterminated string: missing closing '\"'");
      t.kind = Tok::kStr;
      t.text = std::move(value);
      i = j + 1;
    } else {
      const char n = i + 1 < s.size() ? s[i + 1] : '\0';
      i += 1;
      switch (c) {
        case '(': t.kind = Tok::kLParen; break;
        case ')': t.kind = Tok::kRParen; break;
        case ',': t.kind = Tok::kComma; break;
        case '+': t.kind = Tok::kPlus; break;
        case '-': t.kind = Tok::kMinus; break;
        case '*': t.kind = Tok::kStar; break;
        case '/': t.kind = Tok::kSlash; break;
        case '<':
          t.kind = Tok::kCmp;
          t.cmp = n == '=' ? CmpOp::kLe : CmpOp::kLt;
          if (n == '=') ++i;
          break;
        case '>':
          t.kind = Tok::kCmp;
          t.cmp = n == '=' ? CmpOp::kGe : CmpOp::kGt;
          if (n == '=') ++i;
          break;
        case '=':
          if (n != '=') return ErrorAt(s, t.begin, "'=' is not an operator: write '==' to compare");
          t.kind = Tok::kCmp;
          t.cmp = CmpOp::kEq;
          ++i;
          break;
        case '!':
          if (n != '=') return ErrorAt(s, t.begin, "'!' is not an operator: write 'not'");
          t.kind = Tok::kCmp;
          t.cmp = CmpOp::kNe;
          ++i;
          break;
        case '&':
          return ErrorAt(s, t.begin, "'&' is not an operator here: write 'and'");
        case '|':
          return ErrorAt(s, t.begin, "'|' is not an operator here: write 'or'");
        default:
          return ErrorAt(s, t.begin, fmt::format("unexpected character '{}'", c));
      }
    }
    t.end = i;
    out.push_back(std::move(t));
  }
}

// AST ---------------------------------------------------------------------------------------

struct Node {
  enum class K { kNum, kStr, kBool, kIdent, kMeets, kNeg, kArith, kCmpChain, kAnd, kOr, kNot };
  K k = K::kNum;
  double number = 0;
  bool flag = false;
  std::string arith;  // kArith: the operator between kids[k] and kids[k + 1]
  std::string text;
  std::vector<int> kids;
  std::vector<CmpOp> cmps;
  std::size_t begin = 0, end = 0;
};

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens)
      : text_(text), toks_(std::move(tokens)) {}

  Result<int> ParseAll() {
    ASSIGN_OR_RETURN(int root, ParseOr(0));
    if (Peek().kind != Tok::kEnd) {
      const Token& t = Peek();
      if (t.kind == Tok::kRParen) return ErrorAt(text_, t.begin, "unbalanced ')'");
      return ErrorAt(text_, t.begin, fmt::format("unexpected {} after a complete condition "
                                                 "(missing 'and'/'or'?)", Describe(t)));
    }
    return root;
  }
  std::vector<Node>& nodes() { return nodes_; }

 private:
  const Token& Peek() const { return toks_[pos_]; }
  const Token& Next() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }

  std::string Describe(const Token& t) const {
    if (t.kind == Tok::kEnd) return "end of condition";
    return fmt::format("\"{}\"", text_.substr(t.begin, t.end - t.begin));
  }

  int Add(Node n) {
    nodes_.push_back(std::move(n));
    return static_cast<int>(nodes_.size() - 1);
  }

  // `a or b or c` is one node with three kids (likewise `and`, `+ -` and `* /`), so that a chain
  // of thousands of terms is a loop here and in the compiler, never a recursion.
  Result<int> ParseOr(int depth) {
    if (depth > 64) return ErrorAt(text_, Peek().begin, "condition is nested too deeply");
    ASSIGN_OR_RETURN(int first, ParseAnd(depth));
    return Chain(Node::K::kOr, first, depth);
  }

  Result<int> ParseAnd(int depth) {
    ASSIGN_OR_RETURN(int first, ParseNot(depth));
    return Chain(Node::K::kAnd, first, depth);
  }

  // The rest of a chain of `kind` whose first operand is `first`.
  Result<int> Chain(Node::K kind, int first, int depth) {
    auto more = [&] {
      switch (kind) {
        case Node::K::kOr:
          return Peek().kind == Tok::kOr;
        case Node::K::kAnd:
          return Peek().kind == Tok::kAnd;
        default:
          return false;
      }
    };
    if (!more()) return first;
    Node n;
    n.k = kind;
    n.kids = {first};
    while (more()) {
      Next();
      ASSIGN_OR_RETURN(int right, kind == Node::K::kOr ? ParseAnd(depth) : ParseNot(depth));
      n.kids.push_back(right);
    }
    n.begin = nodes_[static_cast<std::size_t>(first)].begin;
    n.end = nodes_[static_cast<std::size_t>(n.kids.back())].end;
    return Add(std::move(n));
  }

  Result<int> ParseNot(int depth) {
    if (Peek().kind == Tok::kNot) {
      const Token t = Next();
      if (depth > 64) return ErrorAt(text_, t.begin, "condition is nested too deeply");
      ASSIGN_OR_RETURN(int operand, ParseNot(depth + 1));
      Node n;
      n.k = Node::K::kNot;
      n.kids = {operand};
      n.begin = t.begin;
      n.end = nodes_[operand].end;
      return Add(std::move(n));
    }
    return ParseCmp(depth);
  }

  Result<int> ParseCmp(int depth) {
    ASSIGN_OR_RETURN(int first, ParseSum(depth));
    if (Peek().kind != Tok::kCmp) return first;
    Node n;
    n.k = Node::K::kCmpChain;
    n.kids = {first};
    n.begin = nodes_[first].begin;
    while (Peek().kind == Tok::kCmp) {
      n.cmps.push_back(Next().cmp);
      ASSIGN_OR_RETURN(int operand, ParseSum(depth));
      n.kids.push_back(operand);
    }
    n.end = nodes_[n.kids.back()].end;
    return Add(std::move(n));
  }

  Result<int> ParseSum(int depth) {
    ASSIGN_OR_RETURN(int first, ParseProduct(depth));
    return ArithChain(first, depth, Tok::kPlus, Tok::kMinus);
  }

  Result<int> ParseProduct(int depth) {
    ASSIGN_OR_RETURN(int first, ParseUnary(depth));
    return ArithChain(first, depth, Tok::kStar, Tok::kSlash);
  }

  // `first (op operand)*` for the two operators of one precedence level.
  Result<int> ArithChain(int first, int depth, Tok op1, Tok op2) {
    if (Peek().kind != op1 && Peek().kind != op2) return first;
    Node n;
    n.k = Node::K::kArith;
    n.kids = {first};
    while (Peek().kind == op1 || Peek().kind == op2) {
      const Tok op = Next().kind;
      n.arith += op == Tok::kPlus ? '+' : op == Tok::kMinus ? '-' : op == Tok::kStar ? '*' : '/';
      ASSIGN_OR_RETURN(int right, op1 == Tok::kPlus ? ParseProduct(depth) : ParseUnary(depth));
      n.kids.push_back(right);
    }
    n.begin = nodes_[static_cast<std::size_t>(first)].begin;
    n.end = nodes_[static_cast<std::size_t>(n.kids.back())].end;
    return Add(std::move(n));
  }

  Result<int> ParseUnary(int depth) {
    if (Peek().kind == Tok::kMinus) {
      const Token t = Next();
      if (depth > 64) return ErrorAt(text_, t.begin, "condition is nested too deeply");
      ASSIGN_OR_RETURN(int operand, ParseUnary(depth + 1));
      Node n;
      n.k = Node::K::kNeg;
      n.kids = {operand};
      n.begin = t.begin;
      n.end = nodes_[operand].end;
      return Add(std::move(n));
    }
    return ParseAtom(depth);
  }

  Result<int> ParseAtom(int depth) {
    const Token t = Next();
    Node n;
    n.begin = t.begin;
    n.end = t.end;
    switch (t.kind) {
      case Tok::kNum:
        n.k = Node::K::kNum;
        n.number = t.number;
        return Add(std::move(n));
      case Tok::kStr:
        n.k = Node::K::kStr;
        n.text = t.text;
        return Add(std::move(n));
      case Tok::kTrue:
      case Tok::kFalse:
        n.k = Node::K::kBool;
        n.flag = t.kind == Tok::kTrue;
        return Add(std::move(n));
      case Tok::kIdent:
        if (Peek().kind == Tok::kLParen) return ParseCall(t);
        n.k = Node::K::kIdent;
        n.text = t.text;
        return Add(std::move(n));
      case Tok::kLParen: {
        if (depth > 64) return ErrorAt(text_, t.begin, "condition is nested too deeply");
        ASSIGN_OR_RETURN(int inner, ParseOr(depth + 1));
        if (Peek().kind != Tok::kRParen)
          return ErrorAt(text_, Peek().begin,
                         fmt::format("expected ')' to close the '(' at column {}, got {}",
                                     t.begin + 1, Describe(Peek())));
        const Token close = Next();
        nodes_[inner].begin = t.begin;
        nodes_[inner].end = close.end;
        return inner;
      }
      default:
        return ErrorAt(text_, t.begin,
                       fmt::format("expected a value or '(', got {}", Describe(t)));
    }
  }

  Result<int> ParseCall(const Token& name) {
    Next();  // '('
    if (name.text != "meets")
      return ErrorAt(text_, name.begin,
                     fmt::format("unknown function \"{}\" (the only function is meets(\"PARAGRAPH\"))",
                                 name.text));
    const Token arg = Next();
    if (arg.kind != Tok::kStr)
      return ErrorAt(text_, arg.begin,
                     "meets() takes one paragraph in quotes, e.g. meets(\"3A090.a\")");
    if (Peek().kind != Tok::kRParen)
      return ErrorAt(text_, Peek().begin,
                     fmt::format("expected ')' after the paragraph, got {}", Describe(Peek())));
    const Token close = Next();
    Node n;
    n.k = Node::K::kMeets;
    n.text = arg.text;
    n.begin = name.begin;
    n.end = close.end;
    return Add(std::move(n));
  }

  std::string_view text_;
  std::vector<Token> toks_;
  std::size_t pos_ = 0;
  std::vector<Node> nodes_;
};

}  // namespace

// Compiler ----------------------------------------------------------------------------------

class ConditionCompiler {
 public:
  ConditionCompiler(std::string_view text, std::vector<Node> nodes, const CompileEnv& env)
      : text_(text), nodes_(std::move(nodes)), env_(env) {
    out_.text_ = std::string(text);
  }

  Result<Condition> Run(int root) {
    ASSIGN_OR_RETURN(Type t, Emit(root));
    if (t.kind != Type::kBool)
      return ErrorAt(text_, nodes_[root].begin,
                     fmt::format("a condition must be true or false, but this is {}", Name(t)));
    std::sort(out_.params_read_.begin(), out_.params_read_.end());
    out_.params_read_.erase(std::unique(out_.params_read_.begin(), out_.params_read_.end()),
                            out_.params_read_.end());
    return std::move(out_);
  }

 private:
  struct Type {
    enum Kind { kBool, kNum, kStr } kind = kBool;
    DimVector dim;
    bool literal = false;          // a bare number (or arithmetic of bare numbers)
    std::optional<Var> str_var;    // for strings: the variable
    std::optional<std::string> str_literal;
  };

  static std::string DimTitle(const DimVector& d) {
    if (d == DimVector{}) return "a plain number";
    return fmt::format("a {}", DimensionName(d));
  }
  static std::string Name(const Type& t) {
    switch (t.kind) {
      case Type::kBool: return "true/false";
      case Type::kStr: return "text";
      case Type::kNum: return t.literal ? "a number" : DimTitle(t.dim);
    }
    return "";
  }
  std::string Src(const Node& n) const { return std::string(text_.substr(n.begin, n.end - n.begin)); }

  void Push(Condition::Op op) {
    out_.ops_.push_back(op);
    switch (op.code) {
      case Condition::OpCode::kNum: case Condition::OpCode::kVar: case Condition::OpCode::kParam:
      case Condition::OpCode::kBool: case Condition::OpCode::kStrCmp: case Condition::OpCode::kMeets:
        ++depth_;
        break;
      case Condition::OpCode::kNeg: case Condition::OpCode::kNot:
        break;
      default:
        --depth_;
    }
    max_depth_ = std::max(max_depth_, depth_);
  }

  Result<Type> Emit(int idx) {
    const Node& n = nodes_[static_cast<std::size_t>(idx)];
    using K = Node::K;
    using OC = Condition::OpCode;
    if (max_depth_ >= Condition::kMaxStack) return ErrorAt(text_, n.begin, "condition is too large");
    switch (n.k) {
      case K::kNum: {
        Push({OC::kNum, 0, 0, n.number});
        Type t;
        t.kind = Type::kNum;
        t.literal = true;
        return t;
      }
      case K::kBool:
        Push({OC::kBool, static_cast<std::uint8_t>(n.flag), 0, 0});
        return Type{};
      case K::kStr: {
        Type t;
        t.kind = Type::kStr;
        t.str_literal = n.text;
        return t;  // emitted by the comparison
      }
      case K::kIdent: return EmitIdent(n);
      case K::kMeets: return EmitMeets(n);
      case K::kNeg: {
        ASSIGN_OR_RETURN(Type t, Emit(n.kids[0]));
        if (t.kind != Type::kNum)
          return ErrorAt(text_, n.begin, fmt::format("'-' needs a number, got {}", Name(t)));
        Push({OC::kNeg, 0, 0, 0});
        return t;
      }
      case K::kArith: return EmitArith(n);
      case K::kCmpChain: return EmitCmpChain(n);
      case K::kAnd:
      case K::kOr: {
        // a b AND c AND ...: the code a left-nested chain compiles to, two stack slots deep.
        for (std::size_t k = 0; k < n.kids.size(); ++k) {
          const int kid = n.kids[k];
          ASSIGN_OR_RETURN(Type t, Emit(kid));
          if (t.kind != Type::kBool)
            return ErrorAt(text_, nodes_[static_cast<std::size_t>(kid)].begin,
                           fmt::format("'{}' needs true/false on both sides, but \"{}\" is {}",
                                       n.k == K::kAnd ? "and" : "or",
                                       Src(nodes_[static_cast<std::size_t>(kid)]), Name(t)));
          if (k > 0) Push({n.k == K::kAnd ? OC::kAnd : OC::kOr, 0, 0, 0});
        }
        return Type{};
      }
      case K::kNot: {
        ASSIGN_OR_RETURN(Type t, Emit(n.kids[0]));
        if (t.kind != Type::kBool)
          return ErrorAt(text_, nodes_[static_cast<std::size_t>(n.kids[0])].begin,
                         fmt::format("'not' needs true/false, but this is {}", Name(t)));
        Push({OC::kNot, 0, 0, 0});
        return Type{};
      }
    }
    return ErrorAt(text_, n.begin, "internal: unhandled expression");
  }

  Result<Type> EmitIdent(const Node& n) {
    using OC = Condition::OpCode;
    if (auto v = VarFromName(n.text)) {
      out_.vars_read_ |= Bit(*v);
      Type t;
      if (IsNumeric(*v)) {
        Push({OC::kVar, static_cast<std::uint8_t>(*v), 0, 0});
        t.kind = Type::kNum;
        t.dim = VarDim(*v);
      } else {
        t.kind = Type::kStr;
        t.str_var = *v;
      }
      return t;
    }
    if (env_.param) {
      if (auto p = env_.param(n.text)) {
        Push({OC::kParam, 0, p->slot, 0});
        out_.params_read_.push_back(p->slot);
        Type t;
        t.kind = Type::kNum;
        t.dim = p->dim;
        return t;
      }
    }
    std::string best;
    int best_d = 3;
    auto consider = [&](std::string_view cand) {
      const int d = EditDistance(n.text, cand);
      if (d < best_d) best_d = d, best = std::string(cand);
    };
    for (std::size_t i = 0; i < kVarCount; ++i) consider(VarName(static_cast<Var>(i)));
    for (const std::string& p : env_.param_names) consider(p);
    return ErrorAt(text_, n.begin,
                   best.empty() ? fmt::format("unknown name \"{}\" (not a variable or a parameter "
                                              "of this rule)", n.text)
                                : fmt::format("unknown name \"{}\" (did you mean \"{}\"?)", n.text,
                                              best));
  }

  Result<Type> EmitMeets(const Node& n) {
    if (!env_.paragraphs)
      return ErrorAt(text_, n.begin, "meets() is not allowed in this condition");
    std::vector<std::uint16_t> slots = env_.paragraphs(n.text);
    if (slots.empty())
      return ErrorAt(text_, n.begin + 7,
                     fmt::format("unknown paragraph \"{}\": no control clause defines it", n.text));
    out_.meets_.push_back(std::move(slots));
    Push({Condition::OpCode::kMeets, 0, static_cast<std::uint16_t>(out_.meets_.size() - 1), 0});
    return Type{};
  }

  Result<Type> EmitArith(const Node& n) {
    ASSIGN_OR_RETURN(Type a, Emit(n.kids[0]));
    for (std::size_t k = 1; k < n.kids.size(); ++k) {
      ASSIGN_OR_RETURN(Type b, Emit(n.kids[k]));
      ASSIGN_OR_RETURN(a, Combine(n, n.arith[k - 1], a, b));
    }
    return a;
  }

  // The type of `a op b` (both operands already emitted); emits the operator.
  Result<Type> Combine(const Node& n, char op, const Type& a, const Type& b) {
    for (const Type* t : {&a, &b})
      if (t->kind != Type::kNum)
        return ErrorAt(text_, n.begin, fmt::format("'{}' needs numbers, got {}", op, Name(*t)));
    Type r;
    r.kind = Type::kNum;
    r.literal = a.literal && b.literal;
    using OC = Condition::OpCode;
    switch (op) {
      case '+':
      case '-':
        if (!a.literal && !b.literal && !(a.dim == b.dim))
          return ErrorAt(text_, n.begin,
                         fmt::format("cannot {} {} and {}", op == '+' ? "add" : "subtract",
                                     DimTitle(a.dim), DimTitle(b.dim)));
        if ((a.literal != b.literal) && !((a.literal ? b.dim : a.dim) == DimVector{}))
          return ErrorAt(
              text_, n.begin,
              fmt::format("cannot {} a bare number and {}", op == '+' ? "add" : "subtract",
                          DimTitle(a.literal ? b.dim : a.dim)));
        r.dim = a.literal ? b.dim : a.dim;
        Push({op == '+' ? OC::kAdd : OC::kSub, 0, 0, 0});
        break;
      case '*':
        r.dim = {a.dim.bytes + b.dim.bytes, a.dim.seconds + b.dim.seconds, a.dim.ops + b.dim.ops,
                 a.dim.watts + b.dim.watts, a.dim.metres + b.dim.metres};
        Push({OC::kMul, 0, 0, 0});
        break;
      default:
        r.dim = {a.dim.bytes - b.dim.bytes, a.dim.seconds - b.dim.seconds, a.dim.ops - b.dim.ops,
                 a.dim.watts - b.dim.watts, a.dim.metres - b.dim.metres};
        Push({OC::kDiv, 0, 0, 0});
    }
    for (int e : {r.dim.bytes, r.dim.seconds, r.dim.ops, r.dim.watts, r.dim.metres})
      if (e > 16 || e < -16)
        return ErrorAt(text_, n.begin,
                       "a unit raised to a power above 16 (a product of many "
                       "quantities)");
    return r;
  }

  Status CheckComparable(const Node& whole, const Node& ln, const Type& a, const Node& rn,
                         const Type& b, CmpOp op) {
    if (a.kind == Type::kBool || b.kind == Type::kBool)
      return ErrorAt(text_, (a.kind == Type::kBool ? ln : rn).begin,
                     "cannot compare true/false values; combine them with and/or/not");
    if (a.kind == Type::kStr || b.kind == Type::kStr) {
      const Type& s = a.kind == Type::kStr ? a : b;
      const Type& o = a.kind == Type::kStr ? b : a;
      const Node& sn = a.kind == Type::kStr ? ln : rn;
      const Node& on = a.kind == Type::kStr ? rn : ln;
      if (o.kind != Type::kStr)
        return ErrorAt(text_, on.begin, fmt::format("cannot compare text \"{}\" with {}", Src(sn),
                                                    Name(o)));
      if (op != CmpOp::kEq && op != CmpOp::kNe)
        return ErrorAt(text_, whole.begin, "text compares only with == or !=");
      if (s.str_var.has_value() == o.str_var.has_value())
        return ErrorAt(text_, whole.begin,
                       "compare a text variable with a string literal, e.g. market == \"datacenter\"");
      const Type& var = s.str_var ? s : o;
      const Type& lit = s.str_var ? o : s;
      const Node& lit_node = s.str_var ? on : sn;
      const auto& legal = VarValues(*var.str_var);
      if (!legal.empty() &&
          std::find(legal.begin(), legal.end(), *lit.str_literal) == legal.end()) {
        std::string list;
        for (std::size_t i = 0; i < legal.size(); ++i)
          list += (i == 0 ? "" : i + 1 == legal.size() ? " or " : ", ") + std::string(legal[i]);
        return ErrorAt(text_, lit_node.begin,
                       fmt::format("unknown {} \"{}\" (expected {})", VarName(*var.str_var),
                                   *lit.str_literal, list));
      }
      return OkStatus();
    }
    if (a.literal && b.literal) return OkStatus();
    if (a.literal || b.literal) {
      const Type& dimmed = a.literal ? b : a;
      const Node& dn = a.literal ? rn : ln;
      if (!(dimmed.dim == DimVector{}))
        return ErrorAt(text_, (a.literal ? ln : rn).begin,
                       fmt::format("\"{}\" is {} ({}); compare it with a parameter that has a "
                                   "unit, not a bare number",
                                   Src(dn), DimTitle(dimmed.dim),
                                   FormatCanonical(1, dimmed.dim).substr(2)));
      return OkStatus();
    }
    if (!(a.dim == b.dim))
      return ErrorAt(text_, whole.begin, fmt::format("cannot compare {} (\"{}\") with {} (\"{}\")",
                                                     DimTitle(a.dim), Src(ln), DimTitle(b.dim),
                                                     Src(rn)));
    return OkStatus();
  }

  Result<Type> EmitCmpChain(const Node& n) {
    using OC = Condition::OpCode;
    for (std::size_t i = 0; i < n.cmps.size(); ++i) {
      const Node& ln = nodes_[static_cast<std::size_t>(n.kids[i])];
      const Node& rn = nodes_[static_cast<std::size_t>(n.kids[i + 1])];
      const CmpOp op = n.cmps[i];
      const std::size_t mark = out_.ops_.size();
      const std::size_t depth_mark = depth_;
      ASSIGN_OR_RETURN(Type a, Emit(n.kids[i]));
      ASSIGN_OR_RETURN(Type b, Emit(n.kids[i + 1]));
      RETURN_IF_ERROR(CheckComparable(n, ln, a, rn, b, op));
      Atom atom;
      atom.op = op;
      atom.lhs_text = Src(ln);
      atom.rhs_text = Src(rn);
      atom.begin = ln.begin;
      atom.end = rn.end;
      Describe(ln, &atom.lhs_var, &atom.lhs_param, &atom.lhs_const);
      Describe(rn, &atom.rhs_var, &atom.rhs_param, &atom.rhs_const);
      if (out_.atoms_.size() >= 0xffff) return ErrorAt(text_, n.begin, "condition is too large");
      const auto atom_index = static_cast<std::uint16_t>(out_.atoms_.size());
      if (a.kind == Type::kStr) {
        // Replace whatever the operands emitted (nothing for strings) with one string op.
        out_.ops_.resize(mark);
        depth_ = depth_mark;
        const Type& var = a.str_var ? a : b;
        const Type& lit = a.str_var ? b : a;
        atom.is_string = true;
        atom.lhs_var = var.str_var;
        atom.lhs_text = std::string(VarName(*var.str_var));
        atom.rhs_text = "\"" + *lit.str_literal + "\"";
        out_.strings_.push_back(*lit.str_literal);
        out_.atoms_.push_back(std::move(atom));
        out_.vars_read_ |= Bit(*var.str_var);
        Condition::Op sop{OC::kStrCmp, static_cast<std::uint8_t>(*var.str_var), atom_index, 0};
        sop.number = static_cast<double>(out_.strings_.size() - 1);
        Push(sop);
      } else {
        atom.dim = a.literal ? b.dim : a.dim;
        out_.atoms_.push_back(std::move(atom));
        Push({OC::kCmp, static_cast<std::uint8_t>(op), atom_index, 0});
      }
      if (i > 0) Push({OC::kAnd, 0, 0, 0});
    }
    return Type{};
  }

  void Describe(const Node& n, std::optional<Var>* var, std::optional<std::uint16_t>* param,
                std::optional<double>* constant) const {
    if (n.k == Node::K::kNum) {
      *constant = n.number;
    } else if (n.k == Node::K::kIdent) {
      if (auto v = VarFromName(n.text)) {
        *var = *v;
      } else if (env_.param) {
        if (auto p = env_.param(n.text)) *param = p->slot;
      }
    }
  }

  std::string_view text_;
  std::vector<Node> nodes_;
  const CompileEnv& env_;
  Condition out_;
  std::size_t depth_ = 0, max_depth_ = 0;
};

Result<Condition> Condition::Compile(std::string_view text, const CompileEnv& env) {
  if (text.size() > kMaxLength)
    return ErrorAt(
        text, kMaxLength,
        fmt::format("condition is too long: {} characters (at most {})", text.size(), kMaxLength));
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(text));
  if (tokens.size() == 1) return ErrorAt(text, 0, "empty condition");
  if (tokens.size() - 1 > kMaxTokens)
    return ErrorAt(text, tokens[kMaxTokens].begin,
                   fmt::format("condition is too long: {} words and symbols (at most {})",
                               tokens.size() - 1, kMaxTokens));
  Parser parser(text, std::move(tokens));
  ASSIGN_OR_RETURN(int root, parser.ParseAll());
  ConditionCompiler compiler(text, std::move(parser.nodes()), env);
  return compiler.Run(root);
}

Condition Condition::True() {
  Condition c;
  c.text_ = "true";
  c.ops_.push_back({OpCode::kBool, 1, 0, 0});
  c.always_true_ = true;
  return c;
}

}  // namespace ceiling::rules
