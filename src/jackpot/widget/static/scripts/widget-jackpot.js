/*! Jackpot widget: JckptWidget.init(container, token, onError, callback, options).
 * Plain JavaScript, no dependency, no build step. Loads only its own stylesheet, from its own
 * origin. Every text coming from the platform is written with textContent. See docs/widget.md. */
(function (window, document) {
  'use strict';

  var script = document.currentScript || (function () {
    var all = document.getElementsByTagName('script');
    for (var i = all.length - 1; i >= 0; i--) {
      if (/widget-jackpot(\.min)?\.js(\?|#|$)/.test(all[i].src)) return all[i];
    }
    return null;
  })();
  var SRC = script && script.src ? script.src : window.location.href;
  var ORIGIN = new URL(SRC).origin;
  var CSS_URL = new URL('../styles/widget-jackpot.css', SRC).href;

  var TEXT = {
    fr: {
      title: 'Convertissez votre montant',
      intro: 'Choisissez une enseigne : votre bon vaut plus que ce que vous convertissez.',
      balance: '\u00c0 convertir',
      loading: 'Chargement des offres\u2026',
      count: ['{n} offre disponible', '{n} offres disponibles'],
      prev: 'Offres pr\u00e9c\u00e9dentes',
      next: 'Offres suivantes',
      best: 'Meilleur bonus',
      voucher: 'Bon d\u2019achat',
      forPrice: 'pour {p}',
      gift: 'offerts',
      back: 'Toutes les offres',
      choose: 'Montant du bon',
      pay: 'Vous payez',
      bonusBy: 'Bonus offert',
      get: 'Valeur de votre bon',
      reserve: 'Obtenir mon bon de {v}',
      reserving: 'R\u00e9servation en cours\u2026',
      validity: 'Valable {n} mois',
      online: 'En ligne',
      inStore: 'En magasin',
      terms: 'Conditions d\u2019utilisation',
      secure: 'Paiement d\u00e9bit\u00e9 de votre montant, aucune carte demand\u00e9e.',
      doneTitle: 'C\u2019est fait, votre bon est confirm\u00e9',
      heldTitle: 'Votre bon est r\u00e9serv\u00e9',
      doneIntro: 'Vous avez converti {p} en un bon {s} de {v}.',
      ref: 'R\u00e9f\u00e9rence',
      state: 'Statut',
      paid: 'Montant converti',
      until: 'Valable jusqu\u2019au',
      pdf: 'T\u00e9l\u00e9charger le bon (PDF)',
      next_: 'Et maintenant ?',
      stepsDone: ['Son code et son PDF arrivent dans quelques minutes.',
        'Vous le retrouverez dans votre espace client, pr\u00eat \u00e0 servir chez {s}.',
        'Gardez la r\u00e9f\u00e9rence {c} : le support retrouve votre bon avec elle.'],
      stepsHeld: ['Votre demande doit \u00eatre valid\u00e9e avant le {d}.',
        'Une fois valid\u00e9e, votre bon est \u00e9mis et vous est envoy\u00e9.',
        'Sinon, la r\u00e9servation est annul\u00e9e et votre montant vous est rendu.'],
      states: { RESERVED: 'En attente de validation', CONFIRMED: 'Confirm\u00e9', READY: 'Pr\u00eat', SENT: 'Envoy\u00e9' },
      code: 'Code d\u2019erreur : {c}',
      retry: 'R\u00e9essayer',
      reload: 'Recharger la page',
      testMode: 'Mode test',
      others: 'Voir les autres offres',
      errors: {
        used: ['Ce lien a d\u00e9j\u00e0 servi', 'Par s\u00e9curit\u00e9, chaque acc\u00e8s aux offres ne sert qu\u2019une fois. Rechargez la page pour en obtenir un nouveau.'],
        expired: ['Votre acc\u00e8s a expir\u00e9', 'Rechargez la page pour en obtenir un nouveau.'],
        closed: ['Votre session est termin\u00e9e', 'Rechargez la page pour consulter \u00e0 nouveau les offres.'],
        empty: ['Aucune offre pour ce montant', 'Aucune enseigne ne propose de bon pour {a} en ce moment. Revenez bient\u00f4t.'],
        exhausted: ['Cette offre vient d\u2019\u00eatre \u00e9puis\u00e9e', 'Choisissez une autre enseigne.'],
        network: ['Connexion impossible', 'V\u00e9rifiez votre connexion Internet puis r\u00e9essayez.'],
        refused: ['Acc\u00e8s refus\u00e9', 'Cet acc\u00e8s n\u2019est pas valide. Rechargez la page ou contactez le support.'],
        generic: ['Une erreur est survenue', 'Rien n\u2019a \u00e9t\u00e9 d\u00e9bit\u00e9. R\u00e9essayez dans un instant.']
      }
    },
    en: {
      title: 'Convert your balance',
      intro: 'Pick a store: your voucher is worth more than what you convert.',
      balance: 'To convert',
      loading: 'Loading offers\u2026',
      count: ['{n} offer available', '{n} offers available'],
      prev: 'Previous offers',
      next: 'Next offers',
      best: 'Best bonus',
      voucher: 'Voucher',
      forPrice: 'for {p}',
      gift: 'bonus',
      back: 'All offers',
      choose: 'Voucher amount',
      pay: 'You pay',
      bonusBy: 'Store bonus',
      get: 'Your voucher is worth',
      reserve: 'Get my {v} voucher',
      reserving: 'Reserving\u2026',
      validity: 'Valid for {n} months',
      online: 'Online',
      inStore: 'In store',
      terms: 'Terms of use',
      secure: 'Paid from your balance, no card needed.',
      doneTitle: 'Done, your voucher is confirmed',
      heldTitle: 'Your voucher is reserved',
      doneIntro: 'You converted {p} into a {v} {s} voucher.',
      ref: 'Reference',
      state: 'Status',
      paid: 'Amount converted',
      until: 'Valid until',
      pdf: 'Download the voucher (PDF)',
      next_: 'What happens next?',
      stepsDone: ['Its code and PDF arrive within minutes.',
        'You will find it in your account, ready to use at {s}.',
        'Keep the reference {c}: support finds your voucher with it.'],
      stepsHeld: ['Your request must be approved before {d}.',
        'Once approved, your voucher is issued and sent to you.',
        'Otherwise the reservation is cancelled and your balance given back.'],
      states: { RESERVED: 'Awaiting approval', CONFIRMED: 'Confirmed', READY: 'Ready', SENT: 'Sent' },
      code: 'Error code: {c}',
      retry: 'Try again',
      reload: 'Reload the page',
      testMode: 'Test mode',
      others: 'See other offers',
      errors: {
        used: ['This link was already used', 'For your security, each access to the offers works once. Reload the page to get a new one.'],
        expired: ['Your access has expired', 'Reload the page to get a new one.'],
        closed: ['Your session is over', 'Reload the page to see the offers again.'],
        empty: ['No offer for this amount', 'No store offers a voucher for {a} right now. Come back soon.'],
        exhausted: ['This offer just ran out', 'Pick another store.'],
        network: ['Cannot connect', 'Check your Internet connection, then try again.'],
        refused: ['Access refused', 'This access is not valid. Reload the page or contact support.'],
        generic: ['Something went wrong', 'Nothing was charged. Try again in a moment.']
      }
    }
  };

  // Problem codes (README's error table) \u2192 which error screen, hence which button it offers.
  var ERROR_KIND = {
    'token-already-used': 'used', 'token-expired': 'expired', 'token-not-yet-valid': 'expired',
    'session-closed': 'closed', 'unauthenticated': 'closed', 'offer-exhausted': 'exhausted',
    'offer-not-found': 'exhausted', 'store-not-found': 'exhausted', 'value-not-accepted': 'exhausted',
    'value-not-offered': 'exhausted', 'amount-exceeds-budget': 'exhausted', 'network-error': 'network', 'malformed-token': 'refused',
    'unsupported-algorithm': 'refused', 'unsupported-header': 'refused', 'unknown-partner': 'refused',
    'partner-mismatch': 'refused', 'invalid-signature': 'refused', 'invalid-token-claims': 'refused'
  };
  var SVG = 'http://www.w3.org/2000/svg';
  var ICONS = {
    back: 'M15 18l-6-6 6-6', prev: 'M15 18l-6-6 6-6', next: 'M9 18l6-6-6-6', ok: 'M5 12.5l4.5 4.5L19 7.5',
    alert: 'M12 6.5v7.5M12 17.5v.5', offline: 'M3 3l18 18M8.5 16.5a5 5 0 017 0M5 12.9a10 10 0 0114 0M12 20h.01',
    shield: 'M12 3l7 3v5c0 5-3 8.5-7 10-4-1.5-7-5-7-10V6z'
  };

  var stylesheet = null;
  var current = null;

  function loadStylesheet() {
    if (!stylesheet) {
      stylesheet = new Promise(function (resolve) {
        var link = document.createElement('link');
        link.rel = 'stylesheet';
        link.href = CSS_URL;
        link.setAttribute('data-jckpt', '');
        link.onload = link.onerror = resolve;
        setTimeout(resolve, 4000);
        // First in <head>: the host page's own rules come later and win at equal specificity,
        // so its `#jackpot .detail .informations` media queries apply as written.
        var head = document.head || document.documentElement;
        head.insertBefore(link, head.querySelector('link[rel~="stylesheet"],style'));
      });
    }
    return stylesheet;
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var key in attrs || {}) {
      var v = attrs[key];
      if (v === null || v === undefined || v === false) continue;
      if (key === 'class') node.className = v;
      else if (key === 'text') node.textContent = v;
      else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), v);
      else node.setAttribute(key, v === true ? '' : v);
    }
    append(node, children);
    return node;
  }
  function append(node, children) {
    [].concat(children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    });
    return node;
  }
  function icon(name, cls) {
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'jk-icon' + (cls ? ' ' + cls : ''));
    var path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.appendChild(path);
    return svg;
  }
  function fill(template, vars) {
    return String(template).replace(/\{(\w+)\}/g, function (m, k) {
      return vars && vars[k] !== undefined ? vars[k] : m;
    });
  }
  function safeCall(fn, arg) {
    if (typeof fn !== 'function') return;
    try { fn(arg); } catch (e) { setTimeout(function () { throw e; }); }
  }
  function rgb(color, probeParent) {
    if (!color || !window.CSS || !CSS.supports('color', color)) return null;
    var probe = el('i', { hidden: true });
    probe.style.color = color;
    probeParent.appendChild(probe);
    var parts = getComputedStyle(probe).color.match(/[\d.]+/g);
    probeParent.removeChild(probe);
    return parts ? parts.slice(0, 3).map(Number) : null;
  }
  function textOn(parts) {
    var l = parts.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2] > 0.22 ? '#0f172a' : '#ffffff';
  }
  function Widget(container, token, onError, callback, options) {
    var opts = options || {};
    var lang = String(opts.locale || 'fr').toLowerCase().slice(0, 2) === 'en' ? 'en' : 'fr';
    var T = TEXT[lang];
    var intlLocale = lang === 'en' ? 'en-GB' : 'fr-FR';
    var base = String(opts.apiUrl || ORIGIN).replace(/\/+$/, '');
    var useHistory = !!opts.useBrowserHistory && !!(window.history && history.pushState);
    var state = { access: null, amount: null, currency: 'EUR', stores: null, details: {}, voucher: null,
      screen: null, busy: false, alive: true };
    var moneyFormats = {};

    var root = el('div', { id: 'jackpot', class: 'jckpt', lang: lang });
    root.style.visibility = 'hidden';
    root.addEventListener('click', function () { state.interacted = true; });
    root.addEventListener('keydown', function () { state.interacted = true; });
    var status = el('p', { class: 'jk-sr', role: 'status', 'aria-live': 'polite' });
    var stage = el('div', { class: 'jk-stage' });
    append(root, [status, stage]);
    while (container.firstChild) container.removeChild(container.firstChild);
    container.appendChild(root);
    loadStylesheet().then(function () { root.style.visibility = ''; });

    var primary = rgb(opts.primaryColor, root);
    if (primary) {
      root.style.setProperty('--jk-primary', 'rgb(' + primary.join(',') + ')');
      root.style.setProperty('--jk-on-primary', textOn(primary));
    }

    function money(n, currency) {
      var cur = currency || state.currency || 'EUR';
      var cents = Math.round(Number(n) * 100) % 100 !== 0;
      var key = cur + cents;
      if (!moneyFormats[key]) {
        moneyFormats[key] = new Intl.NumberFormat(intlLocale, { style: 'currency', currency: cur,
          minimumFractionDigits: cents ? 2 : 0, maximumFractionDigits: 2 });
      }
      return moneyFormats[key].format(Number(n));
    }
    function percent(rate) {
      return new Intl.NumberFormat(intlLocale, { style: 'percent', maximumFractionDigits: 1 })
        .format(Number(rate));
    }
    function date(iso, withTime) {
      if (!iso) return '';
      var o = withTime ? { dateStyle: 'long', timeStyle: 'short' } : { dateStyle: 'long', timeZone: 'UTC' };
      return new Intl.DateTimeFormat(intlLocale, o).format(new Date(iso));
    }
    function plural(forms, n) { return fill(forms[n === 1 ? 0 : 1], { n: n }); }
    function announce(text) {
      status.textContent = '';
      setTimeout(function () { status.textContent = text; }, 30);
    }
    function call(method, path, body) {
      var headers = { Accept: 'application/json' };
      if (body) headers['Content-Type'] = 'application/json';
      if (state.access) headers.Authorization = 'Bearer ' + state.access;
      return fetch(base + path, { method: method, headers: headers, credentials: 'omit',
        body: body ? JSON.stringify(body) : undefined })
        .then(function (res) {
          return res.text().then(function (text) {
            var data = null;
            try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
            if (res.ok && data) return data;
            var p = data && typeof data === 'object' ? data : {};
            p.status = p.status || res.status;
            p.code = p.code || 'http-' + res.status;
            p.title = p.title || res.statusText || 'HTTP error';
            throw { problem: p };
          });
        }, function (err) {
          throw { problem: { type: 'about:blank', code: 'network-error', title: 'Network error',
            status: 0, detail: String((err && err.message) || err) } };
        });
    }
    function record(entry, how) {
      if (!useHistory || how === 'none') return;
      if (how === 'replace') {
        var kept = history.state && typeof history.state === 'object' ? history.state : {};
        history.replaceState(Object.assign({}, kept, { jckpt: entry }), '');
      } else history.pushState({ jckpt: entry }, '');
    }
    function show(name, content, how, entry, focus) {
      if (!state.alive) return;
      var screen = el('section', { class: 'screen ' + name, 'aria-labelledby': 'jk-title' }, content);
      stage.replaceChildren(screen);
      state.screen = name;
      record(entry || { screen: name }, how);
      if (focus) {
        screen.querySelector('h2').focus();
      }
      safeCall(opts.onEvent, Object.assign({ type: 'screen', screen: name }, entry || {}));
    }
    function onPop(e) {
      var entry = e.state && e.state.jckpt;
      if (!entry || !state.alive) return;
      if (state.voucher) return renderConfirmation('none', true);
      if (entry.screen === 'detail' && entry.store) return openStore(entry.store, 'none', true);
      if (entry.screen === 'offers' && state.stores) return renderOffers('none', true);
    }
    if (useHistory) window.addEventListener('popstate', onPop);

    function title(text, extra) {
      return el('h2', { id: 'jk-title', class: 'jk-title', tabindex: '-1', text: text }, extra);
    }
    function header() {
      return el('div', { class: 'jk-head' }, [
        el('div', { class: 'jk-head-text' }, [
          title(T.title),
          el('p', { class: 'jk-lead', text: T.intro })
        ]),
        state.amount === null ? null : el('p', { class: 'jk-balance' }, [
          el('span', { class: 'jk-balance-label', text: T.balance }),
          el('span', { class: 'jk-balance-amount', text: money(state.amount) })
        ])
      ]);
    }
    function renderLoading() {
      var cards = [];
      for (var i = 0; i < 4; i++) {
        cards.push(el('li', { class: 'jk-skeleton' }, [el('span'), el('span'), el('span')]));
      }
      show('loading', [header(), el('div', { class: 'jk-bar-skeleton' }),
        el('div', { class: 'jk-carousel' }, el('ul', { class: 'jk-track', 'aria-hidden': 'true' }, cards))], 'none');
      announce(T.loading);
      root.setAttribute('aria-busy', 'true');
    }

    function storeColor(node, store) {
      var parts = rgb(store.baseColor, root) || [79, 70, 229];
      node.style.setProperty('--jk-store', 'rgb(' + parts.join(',') + ')');
      node.style.setProperty('--jk-on-store', textOn(parts));
      return node;
    }
    function logo(store, size) {
      var url = store.logos && (store.logos[size] || store.logos.medium || store.logos.small);
      var safe = false;
      try { safe = url && new URL(url, base).origin === new URL(base).origin; } catch (e) { safe = false; }
      if (safe) return el('img', { class: 'jk-logo', src: new URL(url, base).href, alt: '', loading: 'lazy' });
      return el('span', { class: 'jk-logo jk-monogram', 'aria-hidden': 'true', text: store.monogram || '?' });  // the server's rule (catalog/monogram.py), as on the PDF
    }
    function ticket(store, name, value, foot, hidden) {
      return storeColor(el('div', { class: 'jk-ticket', 'aria-hidden': hidden }, [
        el('span', { class: 'jk-ticket-top' }, [logo(store, 'large'), el('span', { class: 'jk-ticket-name', text: name })]),
        el('span', { class: 'jk-ticket-kicker', text: T.voucher }),
        el('span', { class: 'jk-ticket-value', text: value }),
        el('span', { class: 'jk-ticket-foot' }, foot)
      ]), store);
    }
    function button(cls, label, onclick, extra) {
      return el('button', Object.assign({ type: 'button', class: cls, onclick: onclick }, extra), label);
    }
    function bonusLine(o) {
      return el('span', { class: 'jk-gift' }, [
        el('strong', { text: '+ ' + money(o.bonus) }),
        ' ' + T.gift
      ]);
    }

    function renderOffers(how, focus) {
      root.removeAttribute('aria-busy');
      var stores = state.stores;
      if (!stores.length) return renderError('empty', null, how);
      var track = el('ul', { class: 'jk-track', id: 'jk-track' });
      stores.forEach(function (store, i) {
        var o = store.bestOffer;
        var card = button('jk-card', [
          storeColor(el('span', { class: 'jk-card-band' }, [
            logo(store, 'medium'),
            el('span', { class: 'jk-badge', text: '+ ' + percent(o.rate) })
          ]), store),
          el('span', { class: 'jk-card-body' }, [
            el('span', { class: 'jk-card-name', text: store.name }),
            el('span', { class: 'jk-card-value' }, [
              el('span', { class: 'jk-card-kicker', text: T.voucher + ' ' }),
              el('strong', { text: money(o.value) })
            ]),
            el('span', { class: 'jk-card-price', text: fill(T.forPrice, { p: money(o.price) }) }),
            bonusLine(o)
          ]),
          i === 0 && stores.length > 1 ? el('span', { class: 'jk-best', text: T.best }) : null
        ], function () { openStore(store.id, 'push', true); }, { 'data-store': store.id });
        track.appendChild(el('li', { class: 'jk-slide' }, card));
      });
      var prev = button('jk-nav jk-prev', icon('prev'), function () { page(-1); },
        { 'aria-label': T.prev, 'aria-controls': 'jk-track' });
      var next = button('jk-nav jk-next', icon('next'), function () { page(1); },
        { 'aria-label': T.next, 'aria-controls': 'jk-track' });
      function page(dir) {
        track.scrollBy({ left: dir * track.clientWidth * 0.9 });
      }
      function arrows() {
        prev.disabled = track.scrollLeft <= 2;
        next.disabled = track.scrollLeft + track.clientWidth >= track.scrollWidth - 2;
      }
      track.addEventListener('scroll', arrows, { passive: true });
      show('offers', [
        header(),
        el('div', { class: 'jk-carousel-bar' }, [
          el('p', { class: 'jk-count', text: plural(T.count, stores.length) }),
          el('div', { class: 'jk-navs' }, [prev, next])
        ]),
        el('div', { class: 'jk-carousel' }, track)
      ], how, { screen: 'offers' }, focus);
      requestAnimationFrame(arrows);
      announce(plural(T.count, stores.length));
    }

    function openStore(storeId, how, focus) {
      var cached = state.details[storeId];
      if (cached) return renderDetail(cached, how, focus);
      if (state.busy) return;
      state.busy = true;
      var card = stage.querySelector('[data-store="' + CSS.escape(storeId) + '"]');
      if (card) card.setAttribute('aria-busy', 'true');
      call('GET', '/v2/stores/' + encodeURIComponent(storeId) + '/proposed-vouchers').then(function (data) {
        state.busy = false;
        state.details[storeId] = data;
        renderDetail(data, how, focus);
      }, function (e) {
        state.busy = false;
        fail(e.problem, function () { openStore(storeId, how, true); });
      });
    }

    function renderDetail(data, how, focus) {
      var store = data.store;
      // The platform lists one voucher per value, ascending, none that the same price buys a
      // larger one of (catalog.pricing.best_deals): the widget shows that list as it is.
      var list = data.vouchers || [];
      if (!list.length) return renderError('exhausted', null, how);
      var selected = list[list.length - 1];
      var summary = {};
      var reserveBtn = button('jk-btn jk-primary jk-reserve', null, function () { reserve(store, selected, reserveBtn); });
      var visual = el('div', { class: 'jk-visual' });

      function row(key, label, strong) {
        summary[key] = el(strong ? 'strong' : 'span');
        return el('div', { class: 'jk-row' + (strong ? ' jk-row-total' : '') }, [
          el('dt', { text: label }), el('dd', null, summary[key])
        ]);
      }
      var rows = el('dl', { class: 'jk-summary' }, [
        row('pay', T.pay), row('bonus', T.bonusBy), row('get', T.get, true)
      ]);
      function select(v) {
        selected = v;
        summary.pay.textContent = money(v.price);
        summary.bonus.textContent = '+ ' + money(v.bonus) + ' (+ ' + percent(v.rate) + ')';
        summary.get.textContent = money(v.value);
        reserveBtn.textContent = fill(T.reserve, { v: money(v.value) });
        visual.replaceChildren(ticket(store, store.name, money(v.value), [
          el('span', { text: '+ ' + percent(v.rate) }),
          store.validityMonths ? el('span', { text: fill(T.validity, { n: store.validityMonths }) }) : null
        ], 'true'));
      }

      var picker, range;
      if (list.length === 1) {
        picker = el('p', { class: 'jk-single' }, [el('span', { class: 'jk-label', text: T.choose }),
          el('strong', { text: money(list[0].value) })]);
      } else if (list.length <= 6) {
        picker = el('fieldset', { class: 'jk-values' }, [el('legend', { class: 'jk-label', text: T.choose })]);
        var chips = el('div', { class: 'jk-chips' });
        list.forEach(function (v) {
          var input = el('input', { type: 'radio', name: 'jk-value', value: String(v.value),
            checked: v === selected, onchange: function () { select(v); } });
          chips.appendChild(el('label', { class: 'jk-chip' }, [input, el('span', { text: money(v.value) })]));
        });
        picker.appendChild(chips);
      } else {
        var out = el('output', { class: 'jk-range-value', for: 'jk-range' });
        range = el('input', { type: 'range', id: 'jk-range', class: 'jk-range', min: '0',
          max: String(list.length - 1), step: '1', value: String(list.length - 1) });
        var sync = function () {
          var v = list[Number(range.value)];
          var txt = money(v.value);
          out.textContent = txt;
          range.setAttribute('aria-valuetext', txt);
          range.style.setProperty('--jk-fill', (100 * Number(range.value) / (list.length - 1)) + '%');
          select(v);
        };
        range.addEventListener('input', sync);
        picker = el('div', { class: 'jk-values' }, [
          el('div', { class: 'jk-range-head' }, [el('label', { class: 'jk-label', for: 'jk-range', text: T.choose }), out]),
          range,
          el('div', { class: 'jk-range-ends', 'aria-hidden': 'true' }, [
            el('span', { text: money(list[0].value) }), el('span', { text: money(list[list.length - 1].value) })])
        ]);
      }
      if (range) sync(); else select(selected);

      var tags = [store.online ? T.online : null, store.inStore ? T.inStore : null,
        store.validityMonths ? fill(T.validity, { n: store.validityMonths }) : null].filter(Boolean);
      var back = button('jk-back', [icon('back'), T.back], function () {
        var entry = useHistory && history.state && history.state.jckpt;
        if (entry && entry.screen === 'detail') history.back(); else renderOffers('push', true);
      });

      show('detail', [
        back,
        storeColor(el('div', { class: 'jk-store-head' }, [
          logo(store, 'medium'),
          el('div', null, [
            title(store.name),
            store.description ? el('p', { class: 'jk-lead', text: store.description }) : null
          ])
        ]), store),
        el('div', { class: 'informations' }, [
          el('div', { class: 'jk-form' }, [
            picker,
            rows,
            reserveBtn,
            el('p', { class: 'jk-secure' }, [icon('shield'), T.secure]),
            el('ul', { class: 'jk-tags validity' }, tags.map(function (t) {
              return el('li', { text: t });
            })),
            store.mentions ? el('div', { class: 'jk-mentions mentions' }, [
              el('h3', { text: T.terms }), el('p', { text: store.mentions })]) : null
          ]),
          visual
        ])
      ], how, { screen: 'detail', store: store.id }, focus);
    }

    function reserve(store, v, button) {
      if (state.busy) return;
      state.busy = true;
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      button.classList.add('jk-loading');
      button.textContent = T.reserving;
      announce(T.reserving);
      var path = '/v2/stores/' + encodeURIComponent(store.id) + '/offers/' +
        encodeURIComponent(v.offerId) + '/reserve-voucher-by-value';
      call('POST', path, { value: v.value }).then(function (voucher) {
        state.busy = false;
        state.voucher = voucher;
        state.voucherStore = store;
        renderConfirmation('push', true);
        safeCall(callback, voucher);
      }, function (e) {
        state.busy = false;
        // A retry is safe: the session's notificationKey makes the reservation idempotent.
        fail(e.problem, function () { renderLoading(); reserve(store, v, el('button')); });
      });
    }

    function renderConfirmation(how, focus) {
      var v = state.voucher;
      var store = state.voucherStore || { name: v.storeName, baseColor: null };
      var held = v.state === 'RESERVED';
      var steps = held ? T.stepsHeld : T.stepsDone;
      var vars = { s: v.storeName || store.name, c: v.couponId, d: date(v.resaExpireDate, true) };
      var facts = [
        [T.ref, el('span', { class: 'jk-code', text: v.couponId })],
        [T.state, el('span', { class: 'jk-state jk-state-' + String(v.state).toLowerCase(),
          text: T.states[v.state] || v.state })],
        [T.paid, money(v.initialAmount, v.currency)],
        v.validityDate ? [T.until, date(v.validityDate)] : null
      ].filter(Boolean);
      show('confirmation', [
        el('div', { class: 'jk-done-head' }, [
          el('span', { class: 'jk-done-icon' + (held ? ' jk-held' : '') }, icon('ok')),
          title(held ? T.heldTitle : T.doneTitle),
          el('p', { class: 'jk-lead', text: fill(T.doneIntro, { p: money(v.initialAmount, v.currency),
            v: money(v.value, v.currency), s: vars.s }) })
        ]),
        el('div', { class: 'jk-done-grid' }, [
          el('div', { class: 'jk-visual' }, ticket(store, vars.s, money(v.value, v.currency),
            el('span', { text: T.ref + ' ' + v.couponId }))),
          el('div', { class: 'jk-done-info' }, [
            el('dl', { class: 'jk-facts' }, facts.map(function (f) {
              return el('div', { class: 'jk-row' }, [el('dt', { text: f[0] }), el('dd', null, f[1])]);
            })),
            /^https?:\/\//i.test(v.url || '') ? el('a', { class: 'jk-btn jk-primary', href: v.url, target: '_blank', rel: 'noopener', text: T.pdf }) : null
          ])
        ]),
        el('div', { class: 'jk-after' }, [
          el('h3', { text: T.next_ }),
          el('ol', { class: 'jk-steps' }, steps.map(function (s) { return el('li', { text: fill(s, vars) }); }))
        ])
      ], how, { screen: 'confirmation' }, focus);
      announce(held ? T.heldTitle : T.doneTitle);
    }

    function renderError(kind, problem, how, retry) {
      root.removeAttribute('aria-busy');
      var words = T.errors[kind] || T.errors.generic;
      var action = null;
      if (/used|expired|closed|refused/.test(kind)) {
        action = button('jk-btn jk-primary', T.reload, function () { window.location.reload(); });
      } else if (kind === 'exhausted') {
        action = button('jk-btn jk-primary', T.others, function () { state.details = {}; loadStores(true); });
      } else if (kind !== 'empty' && retry) {
        action = button('jk-btn jk-primary jk-retry', T.retry, retry);
      }
      show('error', el('div', { class: 'jk-error', 'data-reason': kind }, [
        el('span', { class: 'jk-error-icon' }, icon(kind === 'network' ? 'offline' : 'alert')),
        title(words[0]),
        el('p', { class: 'jk-lead', text: fill(words[1], { a: state.amount === null ? '' : money(state.amount) }) }),
        action,
        problem && problem.code ? el('p', { class: 'jk-error-code', text: fill(T.code, { c: problem.code }) }) : null
      ]), how || 'none', { screen: 'error', reason: kind }, state.interacted);
      announce(words[0]);
    }

    function fail(problem, retry) {
      if (!state.alive) return;
      safeCall(onError, problem);
      renderError(ERROR_KIND[problem.code] || 'generic', problem, 'none', retry);
    }
    function loadStores(focus) {
      if (state.screen !== 'loading') renderLoading();
      call('GET', '/v2/stores').then(function (data) {
        state.amount = data.amount;
        state.currency = data.currency || state.currency;
        state.stores = (data.items || []).filter(function (s) { return s.bestOffer; })
          .sort(function (a, b) {
            return b.bestOffer.rate - a.bestOffer.rate || b.bestOffer.bonus - a.bestOffer.bonus ||
              a.name.localeCompare(b.name);
          });
        renderOffers('replace', focus);
      }, function (e) { fail(e.problem, function () { loadStores(true); }); });
    }

    function start(focus) {
      renderLoading();
      call('POST', '/v2/token', { token: String(token) }).then(function (data) {
        state.access = data.access_token;
        state.amount = data.session && data.session.amount;
        state.currency = (data.session && data.session.currency) || 'EUR';
        // A token signed with the partner's test apiSignature: test vouchers, said on screen.
        if (data.session && data.session.livemode === false && !root.querySelector('.jk-test-badge')) {
          root.insertBefore(el('p', { class: 'jk-test-badge', text: T.testMode }), stage);
        }
        loadStores(focus);
      }, function (e) { fail(e.problem, function () { start(true); }); });
    }

    start(false);

    this.destroy = function () {
      state.alive = false;
      window.removeEventListener('popstate', onPop);
      if (root.parentNode) root.parentNode.removeChild(root);
    };
    this.root = root;
  }

  function init(container, token, onError, callback, options) {
    var node = typeof container === 'string' ? document.getElementById(container) : container;
    if (!node || !node.appendChild) throw new Error('JckptWidget.init: container element not found');
    if (current) current.destroy();
    current = new Widget(node, token, onError, callback, options);
    return current;
  }

  window.JckptWidget = { init: init, version: '1.0.0' };

  // Asynchronous loading: the host page defines window.jckptAsyncInit before this script runs.
  function asyncInit() {
    if (typeof window.jckptAsyncInit === 'function' && !window.jckptAsyncInit.called) {
      window.jckptAsyncInit.called = true;
      window.jckptAsyncInit();
      return true;
    }
  }
  if (!asyncInit() && document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', asyncInit);
  }
})(window, document);
