// The passkey forms of the warrantdesk demo identity provider. A form with
// data-passkey="get" (the code page's "Use a passkey") or "create" (the
// passkeys page) carries the options the server issued in
// data-passkey-options; this script shows the form, runs the ceremony when
// it is submitted, puts the authenticator's response in its "credential"
// field as JSON and posts it. Without this script, or without WebAuthn, the
// form stays hidden and the code still signs in.
"use strict";

(function () {
  function decode(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    return Uint8Array.from(atob(s), function (c) { return c.charCodeAt(0); });
  }

  function encode(buf) {
    var s = "";
    new Uint8Array(buf).forEach(function (b) { s += String.fromCharCode(b); });
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIDs(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, { id: decode(c.id) }); });
  }

  function get(options) {
    var pk = Object.assign({}, options.publicKey, {
      challenge: decode(options.publicKey.challenge),
      allowCredentials: withIDs(options.publicKey.allowCredentials),
    });
    return navigator.credentials.get({ publicKey: pk }).then(function (c) {
      var r = c.response;
      return credential(c, {
        clientDataJSON: encode(r.clientDataJSON),
        authenticatorData: encode(r.authenticatorData),
        signature: encode(r.signature),
        userHandle: r.userHandle ? encode(r.userHandle) : undefined,
      });
    });
  }

  function create(options) {
    var pk = Object.assign({}, options.publicKey, {
      challenge: decode(options.publicKey.challenge),
      user: Object.assign({}, options.publicKey.user, { id: decode(options.publicKey.user.id) }),
      excludeCredentials: withIDs(options.publicKey.excludeCredentials),
    });
    return navigator.credentials.create({ publicKey: pk }).then(function (c) {
      var r = c.response;
      return credential(c, {
        clientDataJSON: encode(r.clientDataJSON),
        attestationObject: encode(r.attestationObject),
        transports: r.getTransports ? r.getTransports() : undefined,
      });
    });
  }

  // credential is the JSON of PublicKeyCredential c with its response.
  function credential(c, response) {
    return {
      id: c.id, rawId: encode(c.rawId), type: c.type,
      authenticatorAttachment: c.authenticatorAttachment || undefined,
      clientExtensionResults: c.getClientExtensionResults(),
      response: response,
    };
  }

  var ceremonies = { get: get, create: create };

  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    var run = ceremonies[form.dataset.passkey];
    if (!run || !window.PublicKeyCredential) return;
    var error = form.querySelector("[data-passkey-error]");
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      run(JSON.parse(form.dataset.passkeyOptions)).then(function (response) {
        form.elements.credential.value = JSON.stringify(response);
        form.submit();
      }, function (err) {
        if (!error) return;
        // The page gives the message in its language, "%s" for the error.
        var msg = error.dataset.passkeyError || "The passkey did not answer (%s). Try again.";
        error.textContent = msg.replace("%s", err.name);
        error.hidden = false;
      });
    });
  });
})();
