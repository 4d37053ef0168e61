"""Stand-ins for the learner portal (8734) and admin portal (1991): one HTML page each.

Like the real MFEs, the page calls the LMS / BFF from an inline ``<head>`` script with axios
(XMLHttpRequest, ``withCredentials: true``) and shows the ``enterprise_features`` it receives as
text. Plain WSGI, no Django: the portals are other origins that only hold static pages.
"""

import json
import re
from pathlib import Path

AXIOS = Path(__file__).resolve().parents[2] / "node_modules" / "axios" / "dist" / "axios.min.js"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>__TITLE__</title>
<script src="/static/axios.min.js"></script>
<script>
(function () {
  "use strict";
  var CONFIG = __CONFIG__;
  var slug = decodeURIComponent(location.pathname.split("/")[1] || "");
  var state = { claims: null, sources: {}, errors: [], done: false };

  function jwtClaims() {
    var name = "edx-jwt-cookie-header-payload=";
    var found = document.cookie.split("; ").filter(function (c) { return c.indexOf(name) === 0; })[0];
    if (!found) return null;
    try {
      var payload = found.slice(name.length).split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(decodeURIComponent(escape(atob(payload))));
    } catch (e) { return null; }
  }

  function describe(name, error) {
    var r = error && error.response;
    return name + ": " + (r ? r.status + " " + JSON.stringify(r.data) : (error && error.message) || String(error));
  }

  function run() {
    state.claims = jwtClaims();
    if (!state.claims || typeof axios === "undefined") { state.done = true; return Promise.resolve(); }
    var client = axios.create({ withCredentials: true, headers: { "USE-JWT-COOKIE": "true" } });
    var refreshed = null;
    client.interceptors.response.use(null, function (error) {
      var cfg = error.config;
      if (error.response && error.response.status === 401 && cfg && !cfg._retried) {
        cfg._retried = true;
        refreshed = refreshed || client.post(CONFIG.lms + "/login_refresh");
        return refreshed.then(function () { return client.request(cfg); });
      }
      return Promise.reject(error);
    });
    function call(name, request) {
      return request().then(
        function (response) { state.sources[name] = response.data; },
        function (error) { state.errors.push(describe(name, error)); }
      );
    }
    var calls = __CALLS__;
    return Promise.all(calls.map(function (c) { return c(client, call); })).then(function () { state.done = true; });
  }

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text != null) node.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function render() {
    var app = document.getElementById("app");
    if (!app) return;
    app.textContent = "";
    if (typeof axios === "undefined") {
      app.appendChild(el("p", "axios did not load: run npm install in the repository, then reload.", { "data-testid": "error" }));
      return;
    }
    if (!state.claims) {
      var p = el("p", "You are not signed in. ", { "data-testid": "signed-out" });
      var a = el("a", "Sign in to the LMS", { href: CONFIG.lms + "/login?next=" + encodeURIComponent(location.href), "data-testid": "sign-in-link" });
      p.appendChild(a);
      app.appendChild(p);
      return;
    }
    app.appendChild(el("p", "Signed in as " + state.claims.preferred_username + (state.claims.administrator ? " (staff)" : "") + ".", { "data-testid": "signed-in-as" }));
    var out = el("p", "", {});
    out.appendChild(el("a", "Sign out", { href: CONFIG.lms + "/logout?redirect_url=" + encodeURIComponent(location.href) }));
    app.appendChild(out);
    if (!state.done) { app.appendChild(el("p", "Loading\\u2026", { "data-testid": "loading" })); return; }
    Object.keys(state.sources).forEach(function (name) {
      var section = el("section", null, { "data-testid": "source", "data-source": name });
      section.appendChild(el("h2", name));
      var features = (state.sources[name] || {}).enterprise_features || {};
      var list = el("ul", null, { "data-testid": "features" });
      Object.keys(features).sort().forEach(function (key) {
        list.appendChild(el("li", key + ": " + features[key], { "data-testid": "feature", "data-key": key, "data-value": String(features[key]) }));
      });
      section.appendChild(list);
      app.appendChild(section);
    });
    state.errors.forEach(function (message) { app.appendChild(el("p", message, { "data-testid": "error" })); });
    document.body.setAttribute("data-loaded", "true");
  }

  var loaded = run();
  document.addEventListener("DOMContentLoaded", function () { render(); loaded.then(render); });
})();
</script>
<style>body { font: 16px/1.4 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; } li { font-family: monospace; }</style>
</head>
<body>
<h1>__HEADING__</h1>
<main id="app" data-testid="portal" data-portal="__PORTAL__"></main>
</body>
</html>
"""

_LEARNER_CALLS = """[
      function (client, call) {
        return call("enterprise-learner", function () {
          return client.get(CONFIG.lms + "/enterprise/api/v1/enterprise-learner/", { params: { username: state.claims.preferred_username, page: 1 } });
        });
      },
      function (client, call) {
        return call("bff-learner-dashboard", function () {
          return client.get(CONFIG.bff + "/csrf/api/v1/token").then(function (r) {
            return client.post(CONFIG.bff + "/api/v1/bffs/learner/dashboard/", { enterprise_customer_slug: slug }, { headers: { "X-CSRFToken": r.data.csrfToken } });
          });
        });
      },
      function (client, call) {
        if (!state.claims.administrator) return null;
        return call("enterprise-customer", function () {
          return client.get(CONFIG.lms + "/enterprise/api/v1/enterprise-customer/", { params: { slug: slug } });
        });
      }
    ]"""

_ADMIN_CALLS = """[
      function (client, call) {
        return call("enterprise-customer-dashboard-list", function () {
          return client.get(CONFIG.lms + "/enterprise/api/v1/enterprise-customer/dashboard_list/", { params: { enterprise_slug: slug } });
        });
      }
    ]"""

_SLUG = re.compile(r"^/([a-z0-9][a-z0-9-]{0,29})/?$")
_ADMIN_PATH = re.compile(r"^/([a-z0-9][a-z0-9-]{0,29})/admin/learners/?$")


def _json_for_script(value):
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def make_portal_app(kind, lms_url, bff_url, slugs=("test-enterprise", "second-enterprise")):
    if kind not in ("learner", "admin"):
        raise ValueError(kind)
    config = _json_for_script({"lms": lms_url, "bff": bff_url})
    title = "Learner portal" if kind == "learner" else "Admin portal"
    page = (
        _PAGE.replace("__CALLS__", _LEARNER_CALLS if kind == "learner" else _ADMIN_CALLS)
        .replace("__CONFIG__", config)
        .replace("__TITLE__", f"{title} (devstack stand-in)")
        .replace("__HEADING__", f"{title} (devstack stand-in)")
        .replace("__PORTAL__", kind)
        .encode()
    )

    def index():
        suffix = "" if kind == "learner" else "/admin/learners"
        links = "".join(f'<li><a href="/{s}{suffix}">{s}</a></li>' for s in slugs)
        return f"<!doctype html><meta charset=utf-8><title>{title}</title><h1>{title}</h1><ul>{links}</ul>".encode()

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "/")
        method = environ.get("REQUEST_METHOD", "GET")
        headers = [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")]
        if method not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", headers + [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")])
            return [b"GET only"]
        if path == "/static/axios.min.js":
            if not AXIOS.is_file():
                start_response("404 Not Found", headers + [("Content-Type", "text/plain")])
                return [b"axios is missing: run npm install"]
            body = AXIOS.read_bytes()
            start_response(
                "200 OK",
                headers
                + [("Content-Type", "application/javascript; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        if path == "/":
            body = index()
        elif (kind == "learner" and _SLUG.match(path)) or (kind == "admin" and _ADMIN_PATH.match(path)):
            body = page
        else:
            start_response("404 Not Found", headers + [("Content-Type", "text/plain")])
            return [b"Not found"]
        start_response(
            "200 OK", headers + [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        )
        return [body] if method == "GET" else [b""]

    return app
