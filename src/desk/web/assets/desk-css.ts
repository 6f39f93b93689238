/**
 * The desk's one style sheet, served as a file (`/assets/desk.css`): the Content-Security-Policy
 * allows no inline style, so pages carry classes only.
 */
export const DESK_CSS = `
:root { --fg: #1d1f23; --muted: #5b616b; --line: #d5d9e0; --bg: #fff; --accent: #0b5cad; --bad: #a4161a; --warn: #8a5a00; --ok: #1e6b33; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header.site { border-bottom: 1px solid var(--line); padding: .75rem 1.25rem; display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
header.site .brand { font-weight: 600; margin-right: auto; }
header.site nav a { margin-right: 1rem; }
header.site form { display: inline; margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1.25rem; }
footer.site { max-width: 72rem; margin: 2rem auto; padding: 0 1.25rem; color: var(--muted); font-size: .875rem; }
a { color: var(--accent); }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; background: #f5f6f8; }
pre, .pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f5f6f8; border: 1px solid var(--line); padding: .6rem .75rem; border-radius: 4px; font: 14px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
form.stack { display: grid; gap: .75rem; max-width: 48rem; }
form.inline { display: inline; }
label { display: grid; gap: .25rem; font-weight: 600; }
label .hint, .hint { font-weight: 400; color: var(--muted); font-size: .9rem; }
input[type=text], input[type=email], input[type=url], input[type=password], input[type=date], input[type=datetime-local], select, textarea {
  font: inherit; padding: .45rem .55rem; border: 1px solid #aab1bc; border-radius: 4px; width: 100%; background: #fff; }
textarea { min-height: 6rem; }
fieldset { border: 1px solid var(--line); border-radius: 4px; padding: .75rem 1rem; }
fieldset label.choice { display: flex; gap: .5rem; align-items: center; font-weight: 400; }
button, .button { font: inherit; padding: .45rem 1rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary { background: #fff; color: var(--accent); }
button.link { background: none; border: none; color: var(--accent); padding: 0; text-decoration: underline; }
.flash { padding: .6rem .9rem; border-radius: 4px; margin: 0 0 1rem; border: 1px solid; }
.flash.error { border-color: var(--bad); color: var(--bad); background: #fdf0f0; }
.flash.notice { border-color: var(--ok); color: var(--ok); background: #eef8f0; }
.secret { font: 15px ui-monospace, monospace; overflow-wrap: anywhere; background: #fff8e1; border: 1px solid #e0c46c; padding: .75rem; border-radius: 4px; }
.state { display: inline-block; padding: .05rem .5rem; border-radius: 999px; background: #eef1f5; font-size: .875rem; }
.status-overdue, .status-missed { color: var(--bad); font-weight: 700; }
.status-due-soon { color: var(--warn); font-weight: 600; }
.status-met { color: var(--ok); }
tr.overdue td { background: #fdf0f0; }
.actions { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); }
.actions form { border: 1px solid var(--line); border-radius: 4px; padding: .75rem 1rem; }
.cvss-metrics { display: grid; gap: .5rem; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); }
output.cvss { font-weight: 600; }
.muted { color: var(--muted); }
.messages .message { border-left: 3px solid var(--line); padding: .25rem .75rem; margin: .75rem 0; }
.messages .message.reporter { border-left-color: var(--accent); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
`;
