// ccmgraph query page: a plain textarea editor, the named queries, a results table, downloads.
// No external resources; all data from the server is inserted as text, never as HTML.
"use strict";

(function () {
  const LOCAL_BASE = JSON.parse(document.getElementById("prefixes").textContent).id; // the server's /id/
  const MAX_SHOWN = 2000;
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const PLAIN_TYPES = new Set(["integer", "decimal", "double", "float", "boolean", "int", "long", "nonNegativeInteger"]);
  // [format= name, label, file suffix] of each download, and what the page asks for (ccmgraph.formats)
  const FORMATS = JSON.parse(document.getElementById("formats").textContent);
  const RESULT_FORMATS = FORMATS.results;
  const GRAPH_FORMATS = FORMATS.graph;

  const $ = (id) => document.getElementById(id);
  const editor = $("query");
  const named = JSON.parse($("named-queries").textContent || "[]");
  const basePrefixes = JSON.parse($("prefixes").textContent || "{}");
  let controller = null;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) node.setAttribute(k, v);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // prefixes declared in the query, then the standard ones: for display of IRIs
  function prefixesOf(text) {
    const map = Object.assign({}, basePrefixes);
    const re = /PREFIX\s+([\w.-]*):\s*<([^>]*)>/gi;
    let m;
    while ((m = re.exec(text)) !== null) map[m[1]] = m[2];
    return Object.entries(map).sort((a, b) => b[1].length - a[1].length);
  }

  function shorten(iri, prefixes) {
    for (const [p, ns] of prefixes) {
      // for reading: "id:lap-action/10" (in a query the slash would need a backslash)
      if (ns && iri.startsWith(ns) && /^[\w.\-/]*$/.test(iri.slice(ns.length))) return p + ":" + iri.slice(ns.length);
    }
    return "<" + iri + ">";
  }

  function hrefOf(iri) {
    if (iri.startsWith(LOCAL_BASE)) return "/id/" + iri.slice(LOCAL_BASE.length);
    if (/^https?:\/\//i.test(iri)) return iri;
    return null; // never a javascript: or data: link
  }

  function termNode(term, prefixes) {
    if (!term) return el("span", { class: "unbound" }, "");
    if (term.type === "uri") {
      const href = hrefOf(term.value);
      const label = shorten(term.value, prefixes);
      const local = term.value.startsWith(LOCAL_BASE);
      return href ? el("a", { href, title: term.value, class: local ? "iri local" : "iri", rel: local ? null : "noopener noreferrer" }, label)
        : el("span", { class: "iri", title: term.value }, label);
    }
    if (term.type === "bnode") return el("span", { class: "bnode" }, "_:" + term.value);
    if (term.type === "triple") {
      const v = term.value;
      return el("span", { class: "triple" }, "<< ", termNode(v.subject, prefixes), " ", termNode(v.predicate, prefixes),
        " ", termNode(v.object, prefixes), " >>");
    }
    const node = el("span", { class: "literal" }, term.value);
    const lang = term["xml:lang"];
    if (lang) return el("span", null, node, el("small", { class: "lang" }, "@" + lang));
    if (term.datatype && term.datatype !== "http://www.w3.org/2001/XMLSchema#string") {
      if (PLAIN_TYPES.has(term.datatype.slice(XSD.length)) && term.datatype.startsWith(XSD)) {
        node.setAttribute("title", term.datatype);
        node.classList.add("number");
        return node; // numbers and booleans read as themselves
      }
      return el("span", null, node, el("small", { class: "datatype", title: term.datatype }, "^^" + shorten(term.datatype, prefixes)));
    }
    return node;
  }

  // N-Triples (a CONSTRUCT or DESCRIBE answer) into rows of SPARQL-JSON-like terms
  function unescapeNt(s) {
    return s.replace(/\\U([0-9A-Fa-f]{8})|\\u([0-9A-Fa-f]{4})|\\(.)/g, (all, big, small, c) => {
      if (big) return String.fromCodePoint(parseInt(big, 16));
      if (small) return String.fromCodePoint(parseInt(small, 16));
      return { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f", '"': '"', "'": "'", "\\": "\\" }[c] || c;
    });
  }
  const NT_TERM = /^(?:<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?)\s*/;
  function parseNt(text) {
    const rows = [];
    for (const line of text.split("\n")) {
      let rest = line.trim();
      if (!rest || rest.startsWith("#")) continue;
      const terms = [];
      for (let i = 0; i < 3; i++) {
        const m = NT_TERM.exec(rest);
        if (!m) break;
        if (m[1] !== undefined) terms.push({ type: "uri", value: unescapeNt(m[1]) });
        else if (m[2] !== undefined) terms.push({ type: "bnode", value: m[2] });
        else {
          const t = { type: "literal", value: unescapeNt(m[3]) };
          if (m[4]) t["xml:lang"] = m[4];
          if (m[5]) t.datatype = m[5];
          terms.push(t);
        }
        rest = rest.slice(m[0].length);
      }
      if (terms.length === 3) rows.push({ subject: terms[0], predicate: terms[1], object: terms[2] });
    }
    return rows;
  }

  function table(vars, rows, prefixes) {
    const head = el("tr", null, el("th", { class: "n" }, "#"), ...vars.map((v) => el("th", null, v)));
    const body = el("tbody");
    rows.slice(0, MAX_SHOWN).forEach((row, i) => {
      body.append(el("tr", null, el("td", { class: "n" }, String(i + 1)), ...vars.map((v) => el("td", null, termNode(row[v], prefixes)))));
    });
    return el("table", { class: "results", id: "results-table" }, el("thead", null, head), body);
  }

  function serverTiming(header) {
    const out = {};
    for (const part of (header || "").split(",")) {
      const name = part.split(";")[0].trim();
      const dur = /dur=([0-9.]+)/.exec(part);
      if (name) out[name] = dur ? parseFloat(dur[1]) : true;
    }
    return out;
  }

  function setStatus(text, kind) {
    const status = $("status");
    status.textContent = text;
    status.className = kind || "";
  }

  function showDownloads(query, form) {
    const box = $("downloads");
    box.replaceChildren(el("span", null, "Download: "));
    const formats = form === "graph" ? GRAPH_FORMATS : RESULT_FORMATS;
    for (const [name, label, ext] of formats) {
      const href = "/sparql?" + new URLSearchParams({ query, format: name }).toString();
      box.append(el("a", { href, download: "result." + ext, class: "download", "data-format": name }, label), " ");
    }
    box.hidden = false;
  }

  async function run(event) {
    if (event) event.preventDefault();
    if (controller) controller.abort();
    controller = new AbortController();
    const query = editor.value;
    const prefixes = prefixesOf(query);
    $("error").hidden = true;
    $("downloads").hidden = true;
    $("results").replaceChildren();
    $("run").disabled = true;
    $("stop").disabled = false;
    $("permalink").href = "/query?" + new URLSearchParams({ query }).toString();
    $("permalink").removeAttribute("data-release");
    setStatus("Running…", "running");
    const started = performance.now();
    try {
      const response = await fetch("/sparql", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: FORMATS.accept },
        body: new URLSearchParams({ query }).toString(),
        signal: controller.signal,
      });
      const text = await response.text();
      const elapsed = performance.now() - started;
      if (!response.ok) {
        setStatus(`Error ${response.status} after ${elapsed.toFixed(0)} ms`, "failed");
        $("error").textContent = text;
        $("error").hidden = false;
        return;
      }
      // the permanent link pins the query to the release that answered it
      const release = response.headers.get("CCMGraph-Release");
      if (release) {
        $("permalink").href = "/query?" + new URLSearchParams({ query, release }).toString();
        $("permalink").dataset.release = release;
      }
      const pinned = $("pinned") ? $("pinned").dataset.release : null;
      const other = pinned && release && pinned !== release ? ` — answered by release ${release}, not ${pinned} as the link pinned` : "";
      const timing = serverTiming(response.headers.get("Server-Timing"));
      const engine = timing.engine !== undefined ? `, engine ${timing.engine.toFixed(1)} ms` : (timing.cache ? ", from cache" : "");
      const truncated = response.headers.get("X-SPARQL-Truncated");
      const cut = truncated ? ` — cut at the endpoint's limit (${truncated === "rows" ? response.headers.get("X-SPARQL-MaxRows") + " rows" : "size"})` : "";
      const type = (response.headers.get("Content-Type") || "").split(";")[0];
      let count;
      let form;
      if (type === "application/n-triples") {
        const rows = parseNt(text);
        form = "graph";
        count = rows.length;
        $("results").append(table(["subject", "predicate", "object"], rows, prefixes));
      } else {
        const data = JSON.parse(text);
        form = "select";
        if (Object.prototype.hasOwnProperty.call(data, "boolean")) {
          count = null;
          $("results").append(el("p", { class: "boolean", id: "ask-result" }, data.boolean ? "true" : "false"));
        } else {
          count = data.results.bindings.length;
          $("results").append(table(data.head.vars, data.results.bindings, prefixes));
        }
      }
      const shown = count !== null && count > MAX_SHOWN ? ` (first ${MAX_SHOWN} shown; download for all)` : "";
      const what = count === null ? "ASK answered" : `${count} ${form === "graph" ? "triple" : "row"}${count === 1 ? "" : "s"}`;
      setStatus(`${what} in ${elapsed.toFixed(0)} ms${engine}${cut}${shown}${other}`, truncated || other ? "truncated" : "done");
      showDownloads(query, form);
    } catch (err) {
      if (err.name === "AbortError") setStatus("Stopped.", "failed");
      else {
        setStatus("The request failed.", "failed");
        $("error").textContent = String(err);
        $("error").hidden = false;
      }
    } finally {
      $("run").disabled = false;
      $("stop").disabled = true;
      controller = null;
    }
  }

  $("query-form").addEventListener("submit", run);
  $("stop").addEventListener("click", () => { if (controller) controller.abort(); });
  editor.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { run(e); return; }
    if (e.key === "Tab" && !e.shiftKey) {
      e.preventDefault();
      const { selectionStart: a, selectionEnd: b, value } = editor;
      editor.value = value.slice(0, a) + "  " + value.slice(b);
      editor.selectionStart = editor.selectionEnd = a + 2;
    }
  });
  $("named").addEventListener("change", () => {
    const q = named.find((n) => n.name === $("named").value);
    const description = $("named-description");
    if (!q) { description.hidden = true; return; }
    editor.value = q.sparql;
    description.textContent = q.title + " — " + q.description;
    description.hidden = false;
  });
})();
