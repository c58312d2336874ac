// ListNasJobs filter: a recursive-descent parser for the AIP-160 subset of
// list_filter.h, and the matcher over the parsed tree.
//
// Grammar (AIP-160, https://google.aip.dev/160, restricted to our fields):
//
//   filter      := [expression]
//   expression  := sequence {"AND" sequence}
//   sequence    := factor {factor}                 (implicit AND)
//   factor      := term {"OR" term}                (OR binds tighter than AND)
//   term        := ["NOT" | "-"] simple
//   simple      := restriction | "(" expression ")"
//   restriction := field comparator value
//
// Semantics chosen where AIP-160 leaves room (documented here, tested in
// tests/unit/list_filter_test.cc):
//   * A string value is a glob: an unescaped `*` matches any run of characters
//     (including none); `\*` is a literal asterisk. This applies to
//     display_name and to label values.
//   * `display_name:"v"` ("has" on a plain string field) is the same wildcard
//     match as `display_name="v"`, so `display_name:"my_job_*"` matches
//     "my_job_1" and `display_name:"job"` matches only "job" (not a substring
//     search; write `display_name:"*job*"` for that).
//   * state takes an enum name or its number; create_time takes RFC 3339. A job
//     without create_time fails every create_time comparison, `!=` included.
//   * `labels.KEY != "v"` is true for a job that lacks KEY.
//   * Quoted strings use "..." or '...' with the escapes \\ \" \' \* \n \t \r.
//
// Work is bounded: the text is at most kMaxFilterBytes, parentheses nest at
// most kMaxDepth deep (the only recursion in the parser), and AND/OR chains are
// flat n-ary nodes, so Matches and the node destructors recurse at most
// O(kMaxDepth) frames.
#include "fake/api/list_filter.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fake/errors.h"
#include "fake/model/enums.h"
#include "fake/model/time.h"

namespace nasfake::api {
namespace {

constexpr size_t kMaxFilterBytes = 4096;
constexpr int kMaxDepth = 64;
constexpr std::string_view kFilterableFields =
    "filterable fields are display_name, state, create_time, labels";

enum class Comparator { kEq, kNe, kLt, kLe, kGt, kGe, kHas };

std::string_view ComparatorText(Comparator c) {
  switch (c) {
    case Comparator::kEq:
      return "=";
    case Comparator::kNe:
      return "!=";
    case Comparator::kLt:
      return "<";
    case Comparator::kLe:
      return "<=";
    case Comparator::kGt:
      return ">";
    case Comparator::kGe:
      return ">=";
    case Comparator::kHas:
      return ":";
  }
  return "?";
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Characters of a field name (a "comparable"): ASCII letters, digits, '_',
// '.', '-' (label keys may contain it) and any non-ASCII byte (label keys may
// be international). A name never starts with '-': that is negation.
bool IsNameChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-' || u >= 0x80;
}

// Characters of an unquoted value: anything but blanks, parentheses, quotes
// and the comparator characters other than ':' (RFC 3339 values contain ':').
bool IsBareValueChar(char c) {
  return !IsSpace(c) && c != '(' && c != ')' && c != '"' && c != '\'' && c != '=' && c != '!' &&
         c != '<' && c != '>';
}

// A string value split at its unescaped '*': "a*b*" is {"a", "b", ""}.
// A value without wildcards is a single segment.
struct Pattern {
  std::vector<std::string> segments{std::string()};

  bool has_wildcard() const { return segments.size() > 1; }

  // The value as written, with each wildcard rendered as '*'.
  std::string Text() const {
    std::string out = segments[0];
    for (size_t i = 1; i < segments.size(); ++i) out += "*" + segments[i];
    return out;
  }

  // Glob match. With the first and last segments anchored, taking the
  // leftmost occurrence of each middle segment is optimal, so no backtracking
  // is needed: O(|text| * |longest segment|) at worst.
  bool Matches(std::string_view text) const {
    if (!has_wildcard()) return text == segments[0];
    const std::string& first = segments.front();
    const std::string& last = segments.back();
    if (text.size() < first.size() + last.size()) return false;
    if (text.substr(0, first.size()) != first) return false;
    if (text.substr(text.size() - last.size()) != last) return false;
    std::string_view middle = text.substr(first.size(), text.size() - first.size() - last.size());
    for (size_t i = 1; i + 1 < segments.size(); ++i) {
      size_t at = middle.find(segments[i]);
      if (at == std::string_view::npos) return false;
      middle.remove_prefix(at + segments[i].size());
    }
    return true;
  }

  bool IsLoneWildcard() const {
    return segments.size() == 2 && segments[0].empty() && segments[1].empty();
  }
};

}  // namespace

struct ListFilter::Node {
  enum class Kind {
    kAnd,           // all children
    kOr,            // any child
    kNot,           // children[0] negated
    kDisplayName,   // pattern, cmp in {=, !=, :}
    kState,         // state, cmp in {=, !=}
    kCreateTime,    // time, any cmp but ':'
    kLabelValue,    // label_key, pattern, cmp in {=, !=}
    kLabelPresent,  // label_key
  };

  Kind kind = Kind::kAnd;
  std::vector<std::unique_ptr<const Node>> children;
  Comparator cmp = Comparator::kEq;
  Pattern pattern;
  std::string label_key;
  model::JobState state = model::JobState::kUnspecified;
  model::Timestamp time{};

  bool Eval(const model::NasJob& job) const {
    switch (kind) {
      case Kind::kAnd:
        for (const auto& c : children) {
          if (!c->Eval(job)) return false;
        }
        return true;
      case Kind::kOr:
        for (const auto& c : children) {
          if (c->Eval(job)) return true;
        }
        return false;
      case Kind::kNot:
        return !children[0]->Eval(job);
      case Kind::kDisplayName:
        return pattern.Matches(job.display_name) != (cmp == Comparator::kNe);
      case Kind::kState:
        return (job.state == state) != (cmp == Comparator::kNe);
      case Kind::kCreateTime: {
        if (!job.create_time) return false;
        const model::Timestamp& t = *job.create_time;
        switch (cmp) {
          case Comparator::kEq:
            return t == time;
          case Comparator::kNe:
            return t != time;
          case Comparator::kLt:
            return t < time;
          case Comparator::kLe:
            return t <= time;
          case Comparator::kGt:
            return t > time;
          case Comparator::kGe:
            return t >= time;
          case Comparator::kHas:
            return false;  // rejected by the parser
        }
        return false;
      }
      case Kind::kLabelValue: {
        auto it = job.labels.find(label_key);
        bool eq = it != job.labels.end() && pattern.Matches(it->second);
        return eq != (cmp == Comparator::kNe);
      }
      case Kind::kLabelPresent:
        return job.labels.count(label_key) > 0;
    }
    return false;
  }
};

namespace {

using Node = ListFilter::Node;
using NodePtr = std::unique_ptr<Node>;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  // Null with error() set on failure.
  NodePtr ParseFilter() {
    NodePtr root = ParseExpression(0);
    if (!root) return nullptr;
    Token t = PeekTerm();
    if (t.kind == Token::kEnd) return root;
    if (t.kind == Token::kRParen) {
      return Fail("unbalanced ')' at position " + Pos(t.pos) + " has no matching '('");
    }
    // Unreachable with the grammar above (a sequence consumes every other
    // token or fails), kept as a guard.
    return Fail("unexpected " + Describe(t) + " at position " + Pos(t.pos));
  }

  const std::string& error() const { return error_; }

 private:
  struct Token {
    enum Kind {
      kEnd,
      kLParen,
      kRParen,
      kAnd,
      kOr,
      kNot,
      kMinus,
      kName,
      kString,
      kComparator,
      kBad
    };
    Kind kind = kEnd;
    std::string_view text;
    size_t pos = 0;
  };

  static std::string Pos(size_t p) { return std::to_string(p); }

  static std::string Clip(std::string_view s) {
    constexpr size_t kMax = 40;
    if (s.size() <= kMax) return std::string(s);
    size_t n = kMax;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
    return std::string(s.substr(0, n)) + "...";
  }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Token::kEnd:
        return "end of filter";
      case Token::kAnd:
      case Token::kOr:
      case Token::kNot:
        return "keyword " + std::string(t.text);
      case Token::kString:
        return "quoted string " + Clip(t.text);
      case Token::kName:
        return "\"" + Clip(t.text) + "\"";
      default:
        return "'" + Clip(t.text) + "'";
    }
  }

  NodePtr Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return nullptr;
  }

  void SkipSpace() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  }

  // The next token where a term, AND, OR or ')' may appear; does not consume.
  Token PeekTerm() {
    SkipSpace();
    Token t;
    t.pos = pos_;
    if (pos_ >= text_.size()) return t;
    char c = text_[pos_];
    size_t end = pos_ + 1;
    switch (c) {
      case '(':
        t.kind = Token::kLParen;
        break;
      case ')':
        t.kind = Token::kRParen;
        break;
      case '-':
        t.kind = Token::kMinus;
        break;
      case '"':
      case '\'':
        t.kind = Token::kString;
        end = pos_ + 1;
        while (end < text_.size() && text_[end] != c) end += text_[end] == '\\' ? 2 : 1;
        end = std::min(end + 1, text_.size());
        break;
      case '=':
      case ':':
        t.kind = Token::kComparator;
        break;
      case '!':
      case '<':
      case '>':
        t.kind = Token::kComparator;
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '=') end = pos_ + 2;
        break;
      default:
        if (IsNameChar(c)) {
          while (end < text_.size() && IsNameChar(text_[end])) ++end;
          std::string_view word = text_.substr(pos_, end - pos_);
          t.kind = word == "AND"   ? Token::kAnd
                   : word == "OR"  ? Token::kOr
                   : word == "NOT" ? Token::kNot
                                   : Token::kName;
        } else {
          t.kind = Token::kBad;
        }
    }
    t.text = text_.substr(pos_, end - pos_);
    return t;
  }

  void Consume(const Token& t) { pos_ = t.pos + t.text.size(); }

  // expression := sequence {"AND" sequence}
  NodePtr ParseExpression(int depth) {
    NodePtr first = ParseSequence(depth, "");
    if (!first) return nullptr;
    std::vector<NodePtr> parts;
    parts.push_back(std::move(first));
    for (Token t = PeekTerm(); t.kind == Token::kAnd; t = PeekTerm()) {
      Consume(t);
      NodePtr next = ParseSequence(depth, " after AND at position " + Pos(t.pos));
      if (!next) return nullptr;
      parts.push_back(std::move(next));
    }
    return Combine(Node::Kind::kAnd, std::move(parts));
  }

  // sequence := factor {factor}: whitespace-separated factors are ANDed.
  NodePtr ParseSequence(int depth, const std::string& after) {
    NodePtr first = ParseFactor(depth, after);
    if (!first) return nullptr;
    std::vector<NodePtr> parts;
    parts.push_back(std::move(first));
    for (Token t = PeekTerm();
         t.kind != Token::kEnd && t.kind != Token::kRParen && t.kind != Token::kAnd;
         t = PeekTerm()) {
      NodePtr next = ParseFactor(depth, "");
      if (!next) return nullptr;
      parts.push_back(std::move(next));
    }
    return Combine(Node::Kind::kAnd, std::move(parts));
  }

  // factor := term {"OR" term}
  NodePtr ParseFactor(int depth, const std::string& after) {
    NodePtr first = ParseTerm(depth, after);
    if (!first) return nullptr;
    std::vector<NodePtr> parts;
    parts.push_back(std::move(first));
    for (Token t = PeekTerm(); t.kind == Token::kOr; t = PeekTerm()) {
      Consume(t);
      NodePtr next = ParseTerm(depth, " after OR at position " + Pos(t.pos));
      if (!next) return nullptr;
      parts.push_back(std::move(next));
    }
    return Combine(Node::Kind::kOr, std::move(parts));
  }

  // term := ["NOT" | "-"] simple
  NodePtr ParseTerm(int depth, const std::string& after) {
    Token t = PeekTerm();
    if (t.kind != Token::kNot && t.kind != Token::kMinus) return ParseSimple(depth, after);
    Consume(t);
    if (t.kind == Token::kMinus && (pos_ >= text_.size() || IsSpace(text_[pos_]))) {
      return Fail("'-' at position " + Pos(t.pos) +
                  " must be followed directly by a term, e.g. -display_name=\"x\"");
    }
    std::string what = t.kind == Token::kNot ? "NOT" : "'-'";
    NodePtr operand = ParseSimple(depth, " after " + what + " at position " + Pos(t.pos));
    if (!operand) return nullptr;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kNot;
    node->children.push_back(std::move(operand));
    return node;
  }

  // simple := restriction | "(" expression ")"
  NodePtr ParseSimple(int depth, const std::string& after) {
    Token t = PeekTerm();
    if (t.kind == Token::kName) return ParseRestriction(t);
    if (t.kind == Token::kLParen) {
      if (depth >= kMaxDepth) {
        return Fail("parentheses nest deeper than " + std::to_string(kMaxDepth) +
                    " levels at position " + Pos(t.pos));
      }
      Consume(t);
      Token inner = PeekTerm();
      if (inner.kind == Token::kRParen) {
        return Fail("empty parentheses at position " + Pos(t.pos));
      }
      NodePtr expr = ParseExpression(depth + 1);
      if (!expr) return nullptr;
      Token close = PeekTerm();
      if (close.kind != Token::kRParen) {
        // The sequence loop stops only at ')', AND (consumed) or the end.
        return Fail("unbalanced '(' at position " + Pos(t.pos) + ": no matching ')' before " +
                    Describe(close));
      }
      Consume(close);
      return expr;
    }
    std::string found = Describe(t);
    if (t.kind == Token::kString) {
      return Fail("expected a field name at position " + Pos(t.pos) + " but found " + found +
                  "; a value must follow a field and comparator, e.g. display_name=\"x\"");
    }
    return Fail("expected a term (a field name, NOT, '-' or '(')" + after + " but found " + found +
                " at position " + Pos(t.pos));
  }

  // restriction := field comparator value
  NodePtr ParseRestriction(const Token& field) {
    Consume(field);
    std::string_view name = field.text;
    auto node = std::make_unique<Node>();
    std::string label_key;
    bool labels_map = false;
    if (name == "display_name" || name == "displayName") {
      node->kind = Node::Kind::kDisplayName;
    } else if (name == "state") {
      node->kind = Node::Kind::kState;
    } else if (name == "create_time" || name == "createTime") {
      node->kind = Node::Kind::kCreateTime;
    } else if (name == "labels") {
      labels_map = true;
    } else if (name.substr(0, 7) == "labels.") {
      node->kind = Node::Kind::kLabelValue;
      node->label_key = std::string(name.substr(7));
      if (node->label_key.empty()) {
        return Fail("empty label key in \"labels.\" at position " + Pos(field.pos) +
                    "; write labels.KEY");
      }
    } else {
      std::string why = "unknown field \"" + Clip(name) + "\" at position " + Pos(field.pos) +
                        "; " + std::string(kFilterableFields);
      if (name == "and" || name == "or" || name == "not" || name == "And" || name == "Or" ||
          name == "Not") {
        why += " (the operators AND, OR, NOT are uppercase)";
      }
      return Fail(std::move(why));
    }

    // Comparator.
    Token ct = PeekTerm();
    if (ct.kind != Token::kComparator || ct.text == "!") {
      return Fail("expected a comparator (=, !=, <, <=, >, >=, :) after \"" + std::string(name) +
                  "\" at position " + Pos(ct.pos) + " but found " + Describe(ct));
    }
    Consume(ct);
    Comparator cmp = ct.text == "="    ? Comparator::kEq
                     : ct.text == "!=" ? Comparator::kNe
                     : ct.text == "<"  ? Comparator::kLt
                     : ct.text == "<=" ? Comparator::kLe
                     : ct.text == ">"  ? Comparator::kGt
                     : ct.text == ">=" ? Comparator::kGe
                                       : Comparator::kHas;
    node->cmp = cmp;
    auto unsupported = [&](std::string_view allowed) {
      return Fail("comparator '" + std::string(ComparatorText(cmp)) + "' at position " +
                  Pos(ct.pos) + " is not supported for " + std::string(name) + "; use " +
                  std::string(allowed));
    };
    bool eq_or_ne = cmp == Comparator::kEq || cmp == Comparator::kNe;
    if (labels_map) {
      if (cmp != Comparator::kHas) return unsupported("labels:KEY, labels.KEY=VALUE");
    } else {
      switch (node->kind) {
        case Node::Kind::kDisplayName:
          if (!eq_or_ne && cmp != Comparator::kHas) return unsupported("=, != or :");
          break;
        case Node::Kind::kState:
          if (!eq_or_ne) return unsupported("= or !=");
          break;
        case Node::Kind::kCreateTime:
          if (cmp == Comparator::kHas) return unsupported("=, !=, <, <=, > or >=");
          break;
        default:  // kLabelValue
          if (!eq_or_ne && cmp != Comparator::kHas) {
            return unsupported("=, != or :* (presence)");
          }
      }
    }

    // Value.
    size_t value_pos = 0;
    std::optional<Pattern> value = ParseValue(ct, value_pos);
    if (!value) return nullptr;
    std::string quoted_value = "\"" + Clip(value->Text()) + "\"";

    if (labels_map) {
      if (value->has_wildcard()) {
        return Fail("labels:" + Clip(value->Text()) + " at position " + Pos(field.pos) +
                    " is not supported; labels:KEY tests for one key, without wildcards");
      }
      node->kind = Node::Kind::kLabelPresent;
      node->label_key = value->segments[0];
      if (node->label_key.empty()) {
        return Fail("empty label key after \"labels:\" at position " + Pos(value_pos));
      }
      return node;
    }
    switch (node->kind) {
      case Node::Kind::kDisplayName:
        node->pattern = std::move(*value);
        break;
      case Node::Kind::kState: {
        std::string text = value->Text();
        std::optional<model::JobState> s = model::EnumFromName<model::JobState>(text);
        if (!s && !text.empty() && text.size() <= 9 &&
            text.find_first_not_of("0123456789") == std::string::npos) {
          s = model::EnumFromNumber<model::JobState>(std::stoll(text));
        }
        if (!s) {
          return Fail("unknown state " + quoted_value + " at position " + Pos(value_pos) +
                      "; expected a JobState name such as JOB_STATE_RUNNING");
        }
        node->state = *s;
        break;
      }
      case Node::Kind::kCreateTime: {
        std::optional<model::Timestamp> t =
            value->has_wildcard() ? std::nullopt : model::ParseTimestamp(value->segments[0]);
        if (!t) {
          return Fail("invalid timestamp " + quoted_value + " at position " + Pos(value_pos) +
                      "; expected RFC 3339 such as \"2021-05-18T00:00:00Z\"");
        }
        node->time = *t;
        break;
      }
      default:  // kLabelValue
        if (cmp == Comparator::kHas) {
          if (!value->IsLoneWildcard()) {
            return Fail("\"" + std::string(name) + ":" + Clip(value->Text()) + "\" at position " +
                        Pos(field.pos) +
                        " is not supported; use labels.KEY:* for presence or labels.KEY=VALUE");
          }
          node->kind = Node::Kind::kLabelPresent;
        } else {
          node->pattern = std::move(*value);
        }
    }
    return node;
  }

  // A quoted string or a bare word after the comparator `ct`.
  std::optional<Pattern> ParseValue(const Token& ct, size_t& value_pos) {
    SkipSpace();
    value_pos = pos_;
    std::string missing =
        "missing value after '" + std::string(ct.text) + "' at position " + Pos(ct.pos);
    if (pos_ >= text_.size()) {
      Fail(missing);
      return std::nullopt;
    }
    Pattern p;
    char c = text_[pos_];
    if (c == '"' || c == '\'') {
      size_t open = pos_++;
      while (true) {
        if (pos_ >= text_.size()) {
          Fail("unterminated string starting at position " + Pos(open));
          return std::nullopt;
        }
        char ch = text_[pos_];
        if (ch == c) {
          ++pos_;
          return p;
        }
        if (ch == '*') {
          p.segments.emplace_back();
          ++pos_;
          continue;
        }
        if (ch == '\\') {
          if (pos_ + 1 >= text_.size()) {
            Fail("unterminated string starting at position " + Pos(open));
            return std::nullopt;
          }
          char e = text_[pos_ + 1];
          switch (e) {
            case '\\':
            case '"':
            case '\'':
            case '*':
              p.segments.back() += e;
              break;
            case 'n':
              p.segments.back() += '\n';
              break;
            case 't':
              p.segments.back() += '\t';
              break;
            case 'r':
              p.segments.back() += '\r';
              break;
            default:
              Fail("invalid escape sequence '\\" + std::string(1, e) + "' at position " +
                   Pos(pos_));
              return std::nullopt;
          }
          pos_ += 2;
          continue;
        }
        p.segments.back() += ch;
        ++pos_;
      }
    }
    size_t end = pos_;
    while (end < text_.size() && IsBareValueChar(text_[end])) ++end;
    std::string_view word = text_.substr(pos_, end - pos_);
    if (word.empty()) {
      Fail(missing + "; found '" + std::string(1, c) + "' at position " + Pos(pos_));
      return std::nullopt;
    }
    if (word == "AND" || word == "OR" || word == "NOT") {
      Fail(missing + "; found keyword " + std::string(word) + " (quote it to use it as a value)");
      return std::nullopt;
    }
    for (char ch : word) {
      if (ch == '*') {
        p.segments.emplace_back();
      } else {
        p.segments.back() += ch;
      }
    }
    pos_ = end;
    return p;
  }

  static NodePtr Combine(Node::Kind kind, std::vector<NodePtr> parts) {
    if (parts.size() == 1) return std::move(parts[0]);
    auto node = std::make_unique<Node>();
    node->kind = kind;
    for (auto& p : parts) {
      // Flatten nested nodes of the same kind, e.g. an AND of sequences.
      if (p->kind == kind) {
        for (auto& c : p->children) node->children.push_back(std::move(c));
      } else {
        node->children.push_back(std::move(p));
      }
    }
    return node;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (!IsSpace(c)) return false;
  }
  return true;
}

}  // namespace

StatusOr<ListFilter> ListFilter::Parse(std::string_view text) {
  if (text.size() > kMaxFilterBytes) {
    // Do not echo the whole oversized text back in the error.
    size_t n = 64;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    return errors::InvalidFilter(std::string(text.substr(0, n)) + "...",
                                 "the filter is " + std::to_string(text.size()) +
                                     " bytes long; the limit is " +
                                     std::to_string(kMaxFilterBytes) + " bytes");
  }
  if (IsBlank(text)) return ListFilter(nullptr);
  Parser parser(text);
  NodePtr root = parser.ParseFilter();
  if (!root) return errors::InvalidFilter(text, parser.error());
  return ListFilter(std::shared_ptr<const Node>(std::move(root)));
}

bool ListFilter::Matches(const model::NasJob& job) const { return !root_ || root_->Eval(job); }

}  // namespace nasfake::api
