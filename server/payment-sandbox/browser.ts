/**
 * What the sandbox processor serves to browsers: the card-form script (the stand-in for
 * SecurionPay's securionpay.js, with the same calls) and its index page.
 */
import { testCards } from "./cards";
import { SANDBOX_PUBLIC_KEY, SANDBOX_SCRIPT_PATH } from "./client";

/**
 * `Securionpay.setPublicKey(key)` and `Securionpay.createCardToken(form, callback)`, as in
 * securionpay.js (also reachable as `SecurionPay`). `form` is a form element (or a jQuery
 * object) whose inputs are marked `data-securionpay="number|expMonth|expYear|cvc|cardholderName"`,
 * or a plain object with those fields. The fields go straight to this sandbox's `/tokens`; the
 * callback gets the token (`{id, last4, brand, expMonth, expYear, …}`) or `{error: {type, code,
 * message}}`.
 */
export const sandboxScript = `/* Tablewatch payment sandbox: card tokens, same calls as securionpay.js. */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : "";
  var publicKey = null;
  var fields = ["number", "expMonth", "expYear", "cvc", "cardholderName"];

  function read(form) {
    if (form && form.jquery) form = form[0];
    var data = {};
    if (form && typeof form.querySelector === "function") {
      fields.forEach(function (name) {
        var input = form.querySelector('[data-securionpay="' + name + '"]');
        if (input) data[name] = input.value;
      });
    } else if (form && typeof form === "object") {
      fields.forEach(function (name) {
        if (form[name] !== undefined) data[name] = String(form[name]);
      });
    }
    return data;
  }

  function answer(callback, value) {
    setTimeout(function () { callback(value); }, 0);
  }

  function createCardToken(form, callback) {
    if (typeof callback !== "function") throw new TypeError("createCardToken needs a callback");
    if (!publicKey) {
      return answer(callback, { error: { type: "invalid_request", message: "The payment form is not set up (no public key)." } });
    }
    var data = read(form);
    fetch(origin + "/tokens", {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "application/json", "Authorization": "Basic " + btoa(publicKey + ":") },
      body: JSON.stringify(data)
    }).then(function (res) {
      return res.json().catch(function () {
        return { error: { type: "gateway_error", message: "The payment processor answered " + res.status + ". Nothing was charged; please try again." } };
      });
    }).then(function (body) {
      callback(body);
    }, function () {
      callback({ error: { type: "gateway_error", message: "The payment processor could not be reached. Nothing was charged; please try again." } });
    });
  }

  var api = {
    setPublicKey: function (key) { publicKey = String(key); },
    createCardToken: createCardToken
  };
  window.Securionpay = api;
  window.SecurionPay = api;
})();
`;

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

export function indexPage(url: string): string {
  const cards = testCards.map((c) => `<tr><td><code>${escape(c.number)}</code></td><td>${escape(c.description)}</td></tr>`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tablewatch payment sandbox</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; color: #1f2933; max-width: 46rem; margin: 3rem auto; padding: 0 1.25rem; }
  h1 { font-size: 1.5rem; margin-bottom: .25rem; }
  h2 { font-size: 1.1rem; margin-top: 2rem; }
  .lead { color: #52606d; margin-top: 0; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #e4e7eb; vertical-align: top; }
  code { font: 13px ui-monospace, monospace; background: #f5f7fa; padding: .1rem .3rem; border-radius: 4px; }
  pre { background: #f5f7fa; padding: .75rem 1rem; border-radius: 6px; overflow-x: auto; font-size: 13px; }
  .note { background: #fffbea; border: 1px solid #f7e1a1; padding: .6rem .9rem; border-radius: 6px; }
</style>
</head>
<body>
<h1>Tablewatch payment sandbox</h1>
<p class="lead">A local stand-in for the SecurionPay payment processor, for development and tests. Nothing here moves real money.</p>
<p class="note">It speaks SecurionPay's REST API at <code>${escape(url)}</code> (customers, cards, plans, subscriptions, charges, events), serves the card-form script at <code>${escape(url + SANDBOX_SCRIPT_PATH)}</code> and calls the app's webhook with every event. It keeps only the last 4 digits, brand and expiry of a card, never its number.</p>

<h2>Test cards</h2>
<p>Any future expiry date and any 3-digit CVC.</p>
<table>
<thead><tr><th>Number</th><th>Behaviour</th></tr></thead>
<tbody>
${cards}
</tbody>
</table>
<p>Any other number that passes the Luhn check succeeds; an invalid number, a past expiry date or a bad CVC is refused when the card form makes its token.</p>

<h2>Keys</h2>
<p>Public key <code>${SANDBOX_PUBLIC_KEY}</code> (the card form), secret key <code>sk_test_sandbox</code> (the server; HTTP Basic user name, empty password).</p>

<h2>The clock</h2>
<p>Subscriptions renew monthly by the sandbox's own clock. Move it forward to renew what falls due (charging the card and sending <code>CHARGE_SUCCEEDED</code> or <code>CHARGE_FAILED</code>):</p>
<pre>curl -u sk_test_sandbox: -H 'content-type: application/json' \\
  -d '{"days": 31}' ${escape(url)}/v1/sandbox/advance
curl -u sk_test_sandbox: -H 'content-type: application/json' \\
  -d '{"subscriptionId": "sub_…"}' ${escape(url)}/v1/sandbox/advance</pre>
</body>
</html>
`;
}
