import { raw } from '#shared/i18n/html.ts';

/**
 * Progressive enhancement for the form (the page works without it): posts with fetch asking for JSON, shows field
 * errors inline next to each control and moves focus to the first; on success replaces the form with the
 * localized message. Anything unexpected falls back to the plain HTML post, whose page the server renders.
 * Text from the server is set with textContent, never as markup.
 */
export const FORM_SCRIPT = raw(`(function () {
  var form = document.getElementById('kinship-form');
  if (!form || !window.fetch || !window.URLSearchParams || !window.FormData) return;
  form.noValidate = true;
  var status = document.getElementById('form-status');
  var button = form.querySelector('button[type=submit]');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    button.disabled = true;
    status.textContent = form.getAttribute('data-sending');
    Array.prototype.forEach.call(form.querySelectorAll('p.error'), function (p) { p.textContent = ''; });
    Array.prototype.forEach.call(form.querySelectorAll('[aria-invalid]'), function (el) { el.removeAttribute('aria-invalid'); });
    fetch(form.action, {
      method: 'POST',
      headers: { 'accept': 'application/json', 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: new URLSearchParams(new FormData(form)).toString(),
      credentials: 'same-origin'
    }).then(function (response) {
      return response.json().then(function (data) { return { response: response, data: data }; }, function () { return { response: response, data: null }; });
    }).then(function (result) {
      var data = result.data;
      if (result.response.ok && data && data.title) {
        var done = document.createElement('section');
        done.className = 'card';
        done.setAttribute('tabindex', '-1');
        done.setAttribute('role', 'status');
        var h = document.createElement('h2');
        h.textContent = data.title;
        var p = document.createElement('p');
        p.textContent = data.message;
        done.appendChild(h);
        done.appendChild(p);
        form.parentNode.replaceChild(done, form);
        done.focus();
        return;
      }
      if (result.response.status === 400 && data && data.error && data.error.issues) {
        var first = null;
        data.error.issues.forEach(function (issue) {
          var message = document.getElementById('err-' + issue.field);
          var control = document.getElementById('f-' + issue.field);
          if (message) message.textContent = issue.message;
          if (control) { control.setAttribute('aria-invalid', 'true'); if (!first) first = control; }
        });
        if (first) { status.textContent = form.getAttribute('data-fix'); button.disabled = false; first.focus(); return; }
      }
      form.submit();
    }).catch(function () { form.submit(); });
  });
})();`);
