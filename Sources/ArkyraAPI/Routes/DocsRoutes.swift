import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /openapi.json` (the API's OpenAPI 3.1 description) and `GET /docs` (a page that renders it).
struct DocsRoutes {
    func add(to router: Router<AppRequestContext>) {
        // Built once; should it ever fail, every request for it fails loudly (logged, 500) instead of the
        // route going missing.
        let spec = Result { ByteBuffer(data: try OpenAPISpec.json()) }
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: try spec.get()))
        }
        router.get("docs") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: Self.page)))
        }
    }

    /// A self-contained reference page (no external assets: installations may be offline).
    static let page = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>ARKYRA API reference</title>
        <style>
        body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:24px;color:#1c1c1c}
        h1{margin-bottom:4px}h2{margin-top:32px;border-bottom:1px solid #ddd;text-transform:capitalize}
        details{border:1px solid #e3e3e3;border-radius:6px;margin:6px 0;padding:6px 10px}
        summary{cursor:pointer}code,pre{font:13px ui-monospace,monospace}pre{background:#f6f6f6;padding:8px;overflow:auto}
        .m{display:inline-block;width:64px;font-weight:600}.GET{color:#0a6}.POST{color:#06c}.PATCH,.PUT{color:#b70}.DELETE{color:#c22}
        </style></head><body>
        <h1>ARKYRA API reference</h1><p id="intro"></p><div id="ops">Loading <a href="/openapi.json">/openapi.json</a>…</div>
        <script>
        fetch('/openapi.json').then(r => r.json()).then(spec => {
          document.getElementById('intro').textContent = spec.info.description;
          const byTag = {};
          for (const [path, methods] of Object.entries(spec.paths))
            for (const [method, op] of Object.entries(methods)) (byTag[op.tags[0]] ??= []).push([method.toUpperCase(), path, op]);
          const esc = s => String(s).replace(/[&<>]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
          let html = '';
          for (const [tag, ops] of Object.entries(byTag)) {
            html += `<h2>${esc(tag)}</h2>`;
            for (const [method, path, op] of ops) {
              const auth = op.security.length ? Object.keys(op.security[0])[0] : 'none';
              html += `<details><summary><span class="m ${method}">${method}</span> <code>${esc(path)}</code> — ${esc(op.summary)}</summary>`;
              html += `<p>Authentication: ${esc(auth)}</p>`;
              if (op.parameters) html += `<p>Parameters:</p><pre>${esc(JSON.stringify(op.parameters, null, 2))}</pre>`;
              if (op.requestBody) html += `<p>Body:</p><pre>${esc(JSON.stringify(op.requestBody.content['application/json'].schema, null, 2))}</pre>`;
              html += `<p>Responses:</p><pre>${esc(JSON.stringify(op.responses, null, 2))}</pre></details>`;
            }
          }
          html += `<h2>schemas</h2><pre>${esc(JSON.stringify(spec.components.schemas, null, 2))}</pre>`;
          document.getElementById('ops').innerHTML = html;
        });
        </script></body></html>
        """
}
