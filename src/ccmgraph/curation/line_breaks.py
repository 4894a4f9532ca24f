"""Break the long lines of turtlefmt's layout, the one rule of the convention turtlefmt lacks.

turtlefmt puts every predicate of a subject on its own line but writes the objects, and any
nested ``[ ... ]``, on that same line, however long. This pass rewrites each statement so that
no line runs past ``WIDTH`` where Turtle lets it break:

- a predicate and its objects that fit stay on one line;
- otherwise each of its objects goes on a line of its own below it, indented, and a
  ``[ ... ]`` that does not fit opens on its line, one predicate per line inside, indented
  (or hugs a lone predicate: ``[ ccm:quote "..." ]``);
- a string literal of a whitespace-free predicate (quotes and notes, see ``FREE_WHITESPACE``
  in :mod:`ccmgraph.pipeline.authoring`) is re-flowed into a triple-quoted string of lines that fit.

Only a single token longer than the line (an IRI, a label) still runs past. Comments, prefixes,
blank lines and everything between statements are left as turtlefmt wrote them; a comment
inside a statement stays at the end of the predicate line it follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ccmgraph.curation.turtle_tokens import tokens

WIDTH = 100
INDENT = 4

_DIRECTIVE = ("@prefix", "@base", "PREFIX", "BASE", "prefix", "base")


@dataclass
class Term:
    text: str


@dataclass
class Pair:
    verb: str
    objects: list[Node]
    comments: list[str] = field(default_factory=list)


@dataclass
class Blank:
    pairs: list[Pair]


@dataclass
class Collection:
    items: list[Node]


Node = Term | Blank | Collection


@dataclass
class _Token:
    kind: str
    text: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.lastgroup or "other", m.group(0), m.start(), m.end()) for m in tokens(text)]


class _Parser:
    """A statement's tokens as a tree; comments go with the predicate they follow."""

    def __init__(self, tokens: list[_Token], at: int) -> None:
        self.tokens, self.at, self.pending = tokens, at, list[str]()

    def peek(self) -> _Token:
        while self.tokens[self.at].kind == "comment":
            self.pending.append(self.tokens[self.at].text)
            self.at += 1
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.peek()
        self.at += 1
        return token

    def node(self) -> Node:
        token = self.take()
        if token.text == "[":
            pairs = self.pairs("]")
            self.take()
            return Blank(pairs)
        if token.text == "(":
            items = []
            while self.peek().text != ")":
                items.append(self.node())
            self.take()
            return Collection(items)
        return Term(token.text)

    def pairs(self, close: str) -> list[Pair]:
        pairs: list[Pair] = []
        while self.peek().text != close:
            pair = Pair(self.take().text, [self.node()])
            while self.peek().text == ",":
                self.take()
                pair.objects.append(self.node())
            while self.peek().text == ";":
                self.take()
            self.peek()  # a comment after the ";" belongs to this predicate
            pair.comments, self.pending = self.pending, []
            pairs.append(pair)
        if pairs and self.pending:
            pairs[-1].comments += self.pending
            self.pending = []
        return pairs


class _Writer:
    def __init__(self, free_whitespace: frozenset[str]) -> None:
        self.lines = [""]
        self.free = free_whitespace

    @property
    def column(self) -> int:
        return len(self.lines[-1])

    def write(self, text: str) -> None:
        first, *rest = text.split("\n")
        self.lines[-1] += first
        self.lines.extend(rest)

    def newline(self, indent: int) -> None:
        self.lines.append(" " * indent)

    def fits(self, text: str) -> bool:
        return self.column + len(text) <= WIDTH

    # ------------------------------------------------------------ flat forms

    def flat(self, node: Node, verb: str) -> str | None:
        """``node`` on one line, or None when it cannot be (a comment, a multi-line string)."""
        if isinstance(node, Term):
            if verb in self.free and (words := _words(node.text)) is not None:
                return _short(*words)
            return None if "\n" in node.text else node.text
        if isinstance(node, Collection):
            items = [self.flat(item, "") for item in node.items]
            return None if None in items else "( " + " ".join(items) + " )" if items else "()"  # type: ignore[arg-type]
        pairs = [self.flat_pair(pair) for pair in node.pairs]
        return None if None in pairs else "[ " + " ; ".join(pairs) + " ]" if pairs else "[]"  # type: ignore[arg-type]

    def flat_pair(self, pair: Pair) -> str | None:
        objects = [self.flat(o, pair.verb) for o in pair.objects]
        if pair.comments or None in objects:
            return None
        return pair.verb + " " + " , ".join(objects)  # type: ignore[arg-type]

    # ------------------------------------------------------------ broken forms
    # ``level``: the indentation of the predicates of the block being written, where its
    # closing bracket goes; what continues a line is indented one step more.

    def pairs(self, pairs: list[Pair], level: int, last: str) -> None:
        """Predicates one per line at ``level`` (the first where the writer stands)."""
        for number, pair in enumerate(pairs):
            if number:
                self.newline(level)
            self.pair(pair, level, " ;" if number < len(pairs) - 1 else last)

    def pair(self, pair: Pair, level: int, separator: str) -> None:
        flat = self.flat_pair(pair)
        if flat is not None and self.fits(flat + separator):
            self.write(flat + separator)
        else:
            self.write(pair.verb)
            several = len(pair.objects) > 1
            for number, node in enumerate(pair.objects):
                if several:
                    self.newline(level + INDENT)
                else:
                    self.write(" ")
                last = number == len(pair.objects) - 1
                self.node(node, pair.verb, separator if last else " ,", level + INDENT if several else level)
        for number, comment in enumerate(pair.comments):
            if number:
                self.newline(level)
            self.write(" " + comment if number == 0 else comment)

    def node(self, node: Node, verb: str, separator: str, level: int) -> None:
        flat = self.flat(node, verb)
        if flat is not None and self.fits(flat + separator):
            self.write(flat + separator)
        elif isinstance(node, Term):
            self.term(node.text, verb, separator, level)
        elif isinstance(node, Blank) and len(node.pairs) == 1 and not node.pairs[0].comments:
            self.write("[ ")  # one predicate hugs its brackets: [ ccm:quote """...""" ]
            self.pair(node.pairs[0], level, " ]" + separator)
        elif isinstance(node, Blank):
            self.write("[")
            self.newline(level + INDENT)
            self.pairs(node.pairs, level + INDENT, "")
            self.newline(level)
            self.write("]" + separator)
        else:
            self.write("(")
            for item in node.items:
                self.newline(level + INDENT)
                self.node(item, "", "", level + INDENT)
            self.newline(level)
            self.write(")" + separator)

    def term(self, text: str, verb: str, separator: str, level: int) -> None:
        words = _words(text) if verb in self.free else None
        if words is None:
            self.write(text + separator)
            return
        body, suffix = words
        closing = '"""' + suffix + separator
        lines, current, room = [], "", WIDTH - self.column - 3
        for word in body:
            if current and len(current) + 1 + len(word) > room:
                lines.append(current)
                current, room = word, WIDTH - level - INDENT
            else:
                current = f"{current} {word}" if current else word
        if " " in current and len(current) + len(closing) > room:
            current, last = current.rsplit(" ", 1)  # the closing quotes fit too
            lines.append(current)
            current = last
        lines.append(current)
        if len(lines) == 1 or lines[-1].endswith('"'):  # a one-liner, or a " that would close early
            self.write(_short(body, suffix) + separator)
            return
        self.write('"""' + ("\n" + " " * (level + INDENT)).join(lines) + closing)


def _words(text: str) -> tuple[list[str], str] | None:
    """The words of a string literal token and its suffix (language tag or datatype)."""
    for quote in ('"""', "'''", '"', "'"):
        if text.startswith(quote):
            end = text.rindex(quote)
            body = text[len(quote) : end]
            if quote != '"':  # a " may stand bare there, not in the "..." it may become
                body = re.sub(r'\\.|"', lambda m: '\\"' if m.group(0) == '"' else m.group(0), body)
            return body.split(), text[end + len(quote) :]
    return None


def _short(body: list[str], suffix: str) -> str:
    return '"' + " ".join(body) + '"' + suffix


def break_lines(text: str, free_whitespace: frozenset[str]) -> str:
    """``text`` (turtlefmt's output) with every statement re-laid within ``WIDTH``.

    ``free_whitespace`` names (as written in the file, e.g. ``ccm:quote``) the predicates whose
    string literals may be re-flowed.
    """
    tokens = _tokens(text)
    out, done, at = [], 0, 0
    while at < len(tokens):
        token = tokens[at]
        if token.kind == "comment":
            at += 1
            continue
        if token.text in _DIRECTIVE:
            while tokens[at].text != "." and not (token.text[0] != "@" and tokens[at].kind == "iri"):
                at += 1
            at += 1
            continue
        parser = _Parser(tokens, at)
        subject = parser.node()
        pairs = parser.pairs(".")
        end = parser.take()
        writer = _Writer(free_whitespace)
        writer.node(subject, "", " " if pairs else " .", 0)
        writer.pairs(pairs, INDENT, " .")
        out += [text[done : token.start], "\n".join(writer.lines)]
        done, at = end.end, parser.at
    return "".join(out) + text[done:]
