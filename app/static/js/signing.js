// Signing the conclusion in the browser with CryptoPro's ЭЦП Browser plug-in (async cadesplugin API,
// loaded by CryptoPro's cadesplugin_api.js before this file). The PDF is signed as a detached
// CAdES-BES and the signature goes to the server as a file, like a manual upload. Without the
// plug-in the plain upload form is shown instead. Configuration comes from data-attributes, since
// the CSP allows no inline script.
(function () {
  "use strict";
  var box = document.querySelector("[data-signing]");
  if (!box) { return; }
  var pluginPart = box.querySelector("[data-signing-plugin]");
  var uploadPart = box.querySelector("[data-signing-upload]");
  var select = box.querySelector("[data-certificates]");
  var button = box.querySelector("[data-sign-button]");
  var status = box.querySelector("[data-signing-status]");
  var PLUGIN_TIMEOUT_MS = 10000;
  var certificates = {};  // thumbprint → the plug-in's certificate object

  function show(message, isError) {
    status.textContent = message;
    status.classList.toggle("text-danger", Boolean(isError));
  }

  function reveal(plugin, upload) {
    if (pluginPart) { pluginPart.hidden = !plugin; }
    if (uploadPart) { uploadPart.hidden = !upload; }
  }

  function pluginError(error) {  // the plug-in's own explanation, e.g. «Действие было отменено пользователем»
    if (window.cadesplugin && typeof window.cadesplugin.getLastError === "function") {
      return window.cadesplugin.getLastError(error);
    }
    return error && error.message ? error.message : String(error);
  }

  // window.cadesplugin is a promise that cadesplugin_api.js settles once the extension answers
  // (or not); it can take long to reject, so we stop waiting sooner.
  function detectPlugin() {
    if (!window.cadesplugin || typeof window.cadesplugin.then !== "function") {
      return Promise.reject(new Error("cadesplugin_api.js is not loaded"));
    }
    var timeout = new Promise(function (resolve, reject) {
      window.setTimeout(function () { reject(new Error("timeout")); }, PLUGIN_TIMEOUT_MS);
    });
    return Promise.race([window.cadesplugin, timeout]);
  }

  // "CN=Петров Пётр Петрович, SN=Петров, G=Пётр Петрович, …" → {CN: …, SN: …, G: …}
  function nameParts(subject) {
    var parts = {}, pattern = /(?:^|,\s*)([A-Za-z0-9.]+)=("(?:[^"]|"")*"|[^,]*)/g, match;
    while ((match = pattern.exec(subject)) !== null) {
      parts[match[1]] = match[2].replace(/^"|"$/g, "").replace(/""/g, "\"");
    }
    return parts;
  }

  function personName(subject) {
    var parts = nameParts(subject);
    return parts.SN && parts.G ? parts.SN + " " + parts.G : (parts.CN || subject);
  }

  // Certificates of the user's personal store that are valid now and have a private key.
  async function validCertificates() {
    var plugin = window.cadesplugin;
    var store = await plugin.CreateObjectAsync("CAdESCOM.Store");
    await store.Open(plugin.CAPICOM_CURRENT_USER_STORE, plugin.CAPICOM_MY_STORE,
      plugin.CAPICOM_STORE_OPEN_MAXIMUM_ALLOWED);
    try {
      var all = await store.Certificates;
      var valid = await all.Find(plugin.CAPICOM_CERTIFICATE_FIND_TIME_VALID);
      var withKey = await valid.Find(plugin.CAPICOM_CERTIFICATE_FIND_EXTENDED_PROPERTY,
        plugin.CAPICOM_PROPID_KEY_PROV_INFO);
      var count = await withKey.Count, found = [];
      for (var i = 1; i <= count; i++) {  // the collection counts from 1
        var certificate = await withKey.Item(i);
        found.push({
          certificate: certificate,
          thumbprint: await certificate.Thumbprint,
          name: personName(await certificate.SubjectName),
          validTo: new Date(await certificate.ValidToDate)
        });
      }
      return found;
    } finally {
      await store.Close();
    }
  }

  function listCertificates(found) {
    select.textContent = "";
    found.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.thumbprint;
      option.textContent = item.name + " (до " + item.validTo.toLocaleDateString("ru-RU") + ")";
      select.appendChild(option);
      certificates[item.thumbprint] = item.certificate;
    });
  }

  function base64Of(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result.slice(reader.result.indexOf(",") + 1)); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(blob);
    });
  }

  function bytesOf(base64) {
    var binary = window.atob(base64.replace(/\s+/g, ""));  // SignCades breaks its base64 into lines
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }

  async function signCades(contentBase64, certificate) {
    var plugin = window.cadesplugin;
    var signer = await plugin.CreateObjectAsync("CAdESCOM.CPSigner");
    await signer.propset_Certificate(certificate);
    // signingTime, as CryptoPro's samples add it: the server checks the certificate at that moment
    var signingTime = await plugin.CreateObjectAsync("CADESCOM.CPAttribute");
    await signingTime.propset_Name(plugin.CAPICOM_AUTHENTICATED_ATTRIBUTE_SIGNING_TIME);
    await signingTime.propset_Value(new Date());
    await (await signer.AuthenticatedAttributes2).Add(signingTime);
    var signedData = await plugin.CreateObjectAsync("CAdESCOM.CadesSignedData");
    await signedData.propset_ContentEncoding(plugin.CADESCOM_BASE64_TO_BINARY);
    await signedData.propset_Content(contentBase64);
    return signedData.SignCades(signer, plugin.CADESCOM_CADES_BES, true);  // true: detached
  }

  async function upload(signature) {
    var form = new FormData();
    form.append("file", new Blob([signature], {type: "application/pkcs7-signature"}), "conclusion.sgn");
    var response = await fetch(box.getAttribute("data-signature-url"), {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: {"X-CSRFToken": document.querySelector('meta[name="csrf-token"]').getAttribute("content"),  // tmk/base.html
                "Accept": "application/json"}
    });
    if (response.ok) { return; }
    var answer = await response.json().catch(function () { return {}; });
    throw new Error(answer.message || "Сервер не принял подпись (ошибка " + response.status + ")");
  }

  async function sign() {
    var certificate = certificates[select.value];
    if (!certificate) { show("Выберите сертификат", true); return; }
    button.disabled = true;
    try {
      show("Загрузка заключения…");
      var response = await fetch(box.getAttribute("data-document-url"), {credentials: "same-origin"});
      if (!response.ok) { throw new Error("Не удалось загрузить заключение (ошибка " + response.status + ")"); }
      var content = await base64Of(await response.blob());
      show("Подписание… Подтвердите доступ к ключу, если КриптоПро спросит пароль.");
      var signature;
      try {
        signature = await signCades(content, certificate);
      } catch (error) {
        throw new Error("Не удалось подписать: " + pluginError(error));
      }
      show("Отправка подписи…");
      await upload(bytesOf(signature));
      show("Подпись принята.");
      window.location.reload();
    } catch (error) {
      show(error.message, true);
      button.disabled = false;
    }
  }

  async function start() {
    show("Поиск КриптоПро ЭЦП Browser plug-in…");
    try {
      await detectPlugin();
    } catch (error) {
      reveal(false, true);
      show("КриптоПро ЭЦП Browser plug-in не найден: установите его и расширение для браузера " +
        "или загрузите файл подписи, сделанный в другой программе.", true);
      return;
    }
    reveal(true, false);
    try {
      listCertificates(await validCertificates());
    } catch (error) {
      reveal(true, true);  // a signature made elsewhere can still be uploaded
      show("Не удалось прочитать сертификаты: " + pluginError(error), true);
      return;
    }
    if (!select.options.length) {
      reveal(true, true);
      show("Нет действующих сертификатов с закрытым ключом в хранилище «Личное».", true);
      return;
    }
    show("");
    button.disabled = false;
    button.addEventListener("click", sign);
  }

  button.disabled = true;
  start();
}());
