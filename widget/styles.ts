/**
 * The widget's whole stylesheet, adopted by its shadow root as a constructable stylesheet (so a
 * page whose CSP is `style-src 'self'` allows it). `:host` resets everything the page could
 * inherit or set on the host element; nothing here can reach the page.
 *
 * Custom properties set on the host: `--ot-accent`, `--ot-on-accent` (text on the accent),
 * `--ot-z` (z-index), `--ot-vh` / `--ot-top` (the visual viewport, on narrow screens).
 */
export const CSS = `
:host{all:initial!important;display:block!important;position:fixed!important;top:0!important;left:0!important;width:0!important;height:0!important;z-index:var(--ot-z,2147483000)!important;--ot-accent:#1d4ed8;--ot-on-accent:#fff}
*{box-sizing:border-box}
[hidden]{display:none!important}
.root{font:16px/1.4 system-ui,sans-serif;color:#1a1a1a;-webkit-text-size-adjust:100%;text-align:left}
button,input,select,textarea{font:inherit;color:inherit;margin:0}
button{cursor:pointer}
p,h2,ol,ul,fieldset{margin:0;padding:0;list-style:none}
svg{fill:currentColor;width:22px;height:22px}
:focus-visible{outline:3px solid var(--ot-accent);outline-offset:2px}
.head :focus-visible{outline-color:var(--ot-on-accent);outline-offset:-3px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.launcher,.icon,.send{display:flex;align-items:center;justify-content:center;padding:0;border:0}
.launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;box-shadow:0 4px 14px #0004}
.left .launcher,.left .panel{right:auto;left:20px}
.launcher svg{width:28px;height:28px}
.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#c00;color:#fff;font-size:13px;font-weight:700;line-height:22px;text-align:center}
.panel{position:fixed;right:20px;bottom:88px;width:380px;height:min(620px,calc(100vh - 108px));display:flex;flex-direction:column;background:#fff;border-radius:12px;box-shadow:0 8px 32px #0005;overflow:hidden}
.head{display:flex;align-items:center;gap:4px;padding:8px 8px 8px 16px}
.head h2{flex:1;font-size:18px;font-weight:600}
.icon,.send{flex:none;width:44px;height:44px;border-radius:8px}
.x{fill:none;stroke:currentColor;stroke-width:2.5;stroke-linecap:round}
.status,.away{padding:4px 16px;font-size:14px;background:#fff4d6;color:#4d3a00;display:flex;flex-wrap:wrap;gap:0 8px;align-items:center}
.link{padding:0;border:0;background:none;text-decoration:underline}
.log{flex:1;min-height:30%;overflow-y:auto;overscroll-behavior:contain;padding:12px 16px;display:flex;flex-direction:column;gap:10px}
.msg{max-width:85%;align-self:flex-start}
.me{align-self:flex-end}
.meta{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:0 4px 2px;font-size:13px;color:#545454}
.me .meta{justify-content:flex-end}
.chan{padding:0 6px;border-radius:8px;background:#e4e8f3;color:#263052;font-size:12px}
.text,.csat{padding:8px 12px;border-radius:12px;background:#eff1f4}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
.text a{color:inherit}
input,select,textarea,form button{min-width:44px;height:44px;padding:0 12px;border:1px solid #767676;border-radius:8px;background:#fff}
.launcher,.icon,.send,.head,.me .text,[aria-pressed=true],[type=submit]{background:var(--ot-accent);color:var(--ot-on-accent)}
.failed .text{background:#fff;color:#1a1a1a;border:1px solid #c00}
.failed .meta,.csat p{color:#a00000}
[aria-invalid=true]{border-color:#c00}
.sys{align-self:center;font-size:14px;color:#545454;text-align:center}
.csat fieldset{display:flex;gap:6px;border:0}
input,select{width:100%;font-size:16px}
.csat input{margin:8px 0}
:disabled{opacity:.5}
.typing{min-height:20px;padding:0 16px;font-size:13px;color:#545454}
.ways{padding:4px 12px 0;font-size:15px;min-height:0;overflow-y:auto}
.ways p{margin:4px 0}
.ways ul,.ways form{margin-top:6px;display:flex;flex-wrap:wrap;gap:6px}
.ways ul button{padding:8px 12px;border:1px solid var(--ot-accent);border-radius:18px;background:#fff;color:var(--ot-accent)}
.ways form{align-items:flex-end}
.ways label{flex:1 1 40%}
.ways .t,.ways .w{flex-basis:100%}
.t input{all:revert}
.composer{display:flex;gap:8px;align-items:flex-end;padding:8px 12px 12px;border-top:1px solid #e2e2e2}
textarea{flex:1;height:auto;min-height:44px;max-height:140px;padding:10px 12px;resize:none;field-sizing:content}
@media (max-width:480px){
.panel,.left .panel{top:var(--ot-top,0);right:0;bottom:auto;left:0;width:auto;height:var(--ot-vh,100dvh);border-radius:0;box-shadow:none}
.open .launcher{display:none}
}
`;
