/* The whole-article player: plays every section's audio in order with one <audio> element,
   highlights the sentence being spoken (the timings and labels come from the page's
   <script type="application/json" id="article-audio">), remembers speed and position.
   Progressive enhancement: without this script the page keeps its per-section players. */
(function () {
  "use strict";
  var dataEl = document.getElementById("article-audio");
  var box = document.getElementById("article-player");
  if (!dataEl || !box || typeof HTMLAudioElement === "undefined") return;
  var data;
  try { data = JSON.parse(dataEl.textContent); } catch (e) { return; }
  var sections = data.sections || [], labels = data.labels || {};
  if (!sections.length) return;

  function $(id) { return document.getElementById(id); }
  var audio = $("player-audio"), play = $("player-play"), seek = $("player-seek");
  var speed = $("player-speed"), status = $("player-status");
  var nowSection = $("player-section"), nowTime = $("player-time");
  var SPEED_KEY = "health-library:player-speed";
  var PLACE_KEY = "health-library:player-place:" + location.pathname;
  var motion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
  var current = 0, loaded = -1, pending = 0, spoken = null, lastSaved = 0, started = false;
  var announced = -1;

  /* localStorage may be refused (file:// in some browsers, privacy modes): then nothing is
     remembered and the player still works. */
  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function save(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* not remembered */ }
  }

  function clock(seconds) {
    var total = Math.max(0, Math.floor(seconds || 0));
    var s = total % 60;
    return Math.floor(total / 60) + ":" + (s < 10 ? "0" : "") + s;
  }
  function ready() { return loaded === current && audio.readyState >= 1; }
  function duration() {
    return ready() && isFinite(audio.duration) ? audio.duration : sections[current].duration;
  }
  function position() { return ready() ? audio.currentTime : pending; }
  function setTime(t) {
    if (ready()) audio.currentTime = t; else pending = t;
    showTime();
  }

  function showTime() {
    var t = position(), d = duration();
    seek.max = String(d);
    seek.value = String(Math.min(t, d));
    var text = (labels.time || "{elapsed} / {total}")
      .replace("{elapsed}", clock(t)).replace("{total}", clock(d));
    seek.setAttribute("aria-valuetext", text);
    nowTime.textContent = clock(t) + " / " + clock(d);
    seek.style.setProperty("--done", (d ? 100 * Math.min(t, d) / d : 0) + "%");
  }
  function showSection() {
    var section = sections[current];
    nowSection.textContent = section.label;
    nowSection.lang = section.lang;
    nowSection.dir = "auto";
  }
  function showButton() {
    var label = !audio.paused ? labels.pause
      : (started || current > 0 || position() > 0) ? labels.resume : labels.play;
    play.textContent = label;
    box.classList.toggle("is-playing", !audio.paused);
  }
  /* The status is read in the page's language; a value put into it (a section title or a
     sentence left in the source language) keeps its own lang, or a screen reader would read
     English with a Spanish voice. */
  function say(template, value, lang) {
    var parts = (template || "{value}").split("{value}");
    var piece = document.createElement("span");
    piece.textContent = value;
    piece.lang = lang;
    piece.dir = "auto";
    status.textContent = "";
    status.appendChild(document.createTextNode(parts[0]));
    status.appendChild(piece);
    status.appendChild(document.createTextNode(parts.slice(1).join("{value}")));
  }
  function announce() {
    if (announced === current) return;
    announced = current;
    var section = sections[current];
    say((labels.playing || "{section}").replace("{section}", "{value}"), section.label,
        section.lang);
  }

  function highlight(id) {
    if (id === spoken) return;
    document.querySelectorAll(".s.is-speaking").forEach(function (el) {
      el.classList.remove("is-speaking");
    });
    spoken = id;
    if (!id) return;
    var pieces = piecesOf(id);
    pieces.forEach(function (el) { el.classList.add("is-speaking"); });
    if (pieces.length) {  // an image description is spoken but has no element
      var smooth = !(motion && motion.matches);
      pieces[0].scrollIntoView({ block: "nearest", behavior: smooth ? "smooth" : "auto" });
    }
  }
  function sentenceAt(t) {
    var list = sections[current].sentences;
    for (var i = 0; i < list.length; i++) {
      if (t >= list[i][1] && (t < list[i][2] || i === list.length - 1)) return list[i][0];
    }
    return null;
  }

  function remember(force) {
    var now = Date.now();
    if (!force && now - lastSaved < 2000) return;
    lastSaved = now;
    save(PLACE_KEY, JSON.stringify({ section: sections[current].id, time: position() }));
  }

  /* Go to a section and time; keep playing if the player was playing (or if told to). */
  function go(index, time, playAfter) {
    var wasPlaying = !audio.paused;
    current = Math.max(0, Math.min(sections.length - 1, index));
    if (loaded !== current) {
      loaded = current;
      pending = time;
      audio.src = sections[current].src;
      audio.load();
    } else {
      setTime(time);
    }
    audio.defaultPlaybackRate = audio.playbackRate = rate();
    showSection();
    showTime();
    highlight(null);
    if (wasPlaying || playAfter) start();
    remember(true);
  }
  function start() {
    if (loaded !== current) { go(current, pending, true); return; }
    announce();
    started = true;
    fitSticky();
    audio.playbackRate = rate();
    var done = audio.play();
    if (done && done.catch) done.catch(function () { showButton(); });
  }
  function rate() {
    var value = parseFloat(speed.value);
    return value >= 0.5 && value <= 4 ? value : 1;
  }

  function skipBy(seconds) {
    setTime(Math.max(0, Math.min(duration(), position() + seconds)));
  }
  function seekKeys(event) {
    var rtl = getComputedStyle(seek).direction === "rtl";
    var steps = { ArrowUp: 5, ArrowDown: -5, ArrowRight: rtl ? -5 : 5,
      ArrowLeft: rtl ? 5 : -5, PageUp: 30, PageDown: -30 };
    if (event.key in steps) skipBy(steps[event.key]);
    else if (event.key === "Home") skipBy(-Infinity);
    else if (event.key === "End") skipBy(duration());
    else return;
    event.preventDefault();
  }

  /* Sticky while a listening session is on (playing or paused mid-article), so Pause stays
     at hand while reading; but never taller than a third of the window (at 400% zoom the
     box is most of the screen: there it stays in the page). The page's scroll padding keeps
     the sentence being read, and any focused link, from hiding under it. */
  var ROOM = 1 / 3;
  function fitSticky() {
    var height = box.offsetHeight;
    var on = started && height > 0 && height <= window.innerHeight * ROOM;
    box.classList.toggle("is-sticky", on);
    document.documentElement.style.setProperty("--player-room", on ? height + 8 + "px" : "0px");
  }

  /* Sentence by sentence from the keyboard: Shift+Down and Shift+Up go to the next and
     previous sentence (Up first goes back to the start of the one being read); the focus
     moves to a sentence only when asked (Shift+Enter), never as the audio goes on. */
  function where() {
    var list = sections[current].sentences, t = position() + 0.01, at = 0;
    for (var j = 0; j < list.length; j++) if (list[j][1] <= t) at = j;
    return at;
  }
  function sentenceIndex(id) {
    for (var i = 0; i < sections.length; i++) {
      var list = sections[i].sentences;
      for (var j = 0; j < list.length; j++) if (list[j][0] === id) return [i, j];
    }
    return null;
  }
  function piecesOf(id) {
    return document.querySelectorAll('[data-s="' + id.replace(/["\\]/g, "") + '"]');
  }
  function pieceOf(id) { return id ? piecesOf(id)[0] || null : null; }
  function step(delta) {
    var i = current, j = where(), list = sections[i].sentences;
    if (delta < 0 && list.length && position() - list[j][1] > 1.5) delta = 0;
    j += delta;
    while (j < 0 && i > 0) { i -= 1; j += sections[i].sentences.length; }
    while (i < sections.length - 1 && j >= sections[i].sentences.length) {
      j -= sections[i].sentences.length; i += 1;
    }
    list = sections[i].sentences;
    if (j < 0 || j >= list.length) return null;
    go(i, list[j][1], false);
    highlight(list[j][0]);
    return list[j][0];
  }
  function tellSentence(id) {
    var piece = pieceOf(id);
    if (!audio.paused || !piece) return;  // while playing, the audio says it
    var langOf = piece.closest("[lang]");
    var text = "";  // a sentence crossing a link is in several pieces
    piecesOf(id).forEach(function (el) { text += el.textContent; });
    say("{value}", text, langOf ? langOf.lang : document.documentElement.lang);
  }
  function focusSentence(id) {
    var piece = pieceOf(id);
    if (!piece) return false;
    piece.setAttribute("tabindex", "-1");
    piece.addEventListener("blur", function () { piece.removeAttribute("tabindex"); },
                           { once: true });
    piece.focus();
    return true;
  }
  function sentenceKeys(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    var onSentence = target.matches && target.matches(".s[data-s]");
    if (!onSentence && !box.contains(target)) return;
    var key = event.key, id = null;
    if (event.shiftKey && (key === "ArrowDown" || key === "ArrowUp")) {
      id = step(key === "ArrowDown" ? 1 : -1);
      if (id && onSentence) focusSentence(id); else if (id) tellSentence(id);
    } else if (event.shiftKey && key === "Enter") {
      var here = sections[current].sentences[where()];
      if (!focusSentence(spoken || (here && here[0]))) return;
    } else if (onSentence && !event.shiftKey && (key === "Enter" || key === " ")) {
      var place = sentenceIndex(target.getAttribute("data-s"));
      if (place) go(place[0], sections[place[0]].sentences[place[1]][1], true);
    } else if (onSentence && key === "Escape") {
      play.focus();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  function onSentenceClick(event) {
    var target = event.target;
    if (!target.closest || target.closest("a, button, input, select, summary, label")) return;
    var piece = target.closest(".s[data-s]");
    var selection = window.getSelection && window.getSelection();
    if (!piece || (selection && !selection.isCollapsed)) return;
    var place = sentenceIndex(piece.getAttribute("data-s"));
    if (place) go(place[0], sections[place[0]].sentences[place[1]][1], true);
  }

  function addSectionButtons() {
    sections.forEach(function (section, index) {
      var caption = $("audio-" + section.id);
      if (!caption) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "player-button player-section-button";
      button.textContent = labels.section;
      button.setAttribute("aria-describedby", caption.id);
      button.addEventListener("click", function () { go(index, 0, true); });
      caption.insertAdjacentElement("afterend", button);
    });
  }

  function restore() {
    var speedValue = load(SPEED_KEY);
    if (speedValue && speed.querySelector('option[value="' + speedValue.replace(/"/g, "") + '"]')) {
      speed.value = speedValue;
    }
    var place = null;
    try { place = JSON.parse(load(PLACE_KEY) || "null"); } catch (e) { place = null; }
    if (!place) return;
    for (var i = 0; i < sections.length; i++) {
      if (sections[i].id === place.section) {
        current = i;
        pending = Math.max(0, Math.min(sections[i].duration, +place.time || 0));
      }
    }
  }

  audio.addEventListener("loadedmetadata", function () {
    if (pending > 0) audio.currentTime = Math.min(pending, audio.duration || pending);
    pending = 0;
    audio.playbackRate = rate();
    showTime();
  });
  audio.addEventListener("timeupdate", function () {
    if (loaded !== current) return;
    highlight(sentenceAt(audio.currentTime));
    showTime();
    remember(false);
  });
  audio.addEventListener("play", showButton);
  audio.addEventListener("pause", function () { showButton(); remember(true); });
  audio.addEventListener("ended", function () {
    if (current < sections.length - 1) { go(current + 1, 0, true); return; }
    highlight(null);
    started = false;
    fitSticky();
    announced = -1;
    save(PLACE_KEY, null);
    current = 0;
    pending = 0;
    showSection();
    showButton();
  });
  play.addEventListener("click", function () {
    if (audio.paused) start(); else audio.pause();
  });
  $("player-prev").addEventListener("click", function () {
    go(position() > 3 ? current : current - 1, 0, false);
  });
  $("player-next").addEventListener("click", function () {
    if (current < sections.length - 1) go(current + 1, 0, false);
  });
  seek.addEventListener("input", function () {
    setTime(parseFloat(seek.value) || 0);
  });
  seek.addEventListener("keydown", seekKeys);
  speed.addEventListener("change", function () {
    audio.defaultPlaybackRate = audio.playbackRate = rate();
    save(SPEED_KEY, speed.value);
  });
  document.addEventListener("click", onSentenceClick);
  // capture: before the seek bar's own arrow keys and the speed list's
  document.addEventListener("keydown", sentenceKeys, true);
  window.addEventListener("resize", fitSticky);
  if (window.ResizeObserver) new ResizeObserver(fitSticky).observe(box);
  window.addEventListener("pagehide", function () { if (started) remember(true); });

  /* The keyboard help follows the box instead of living in it: open, it would make the box
     too tall to stay stuck to the window. */
  var keys = box.querySelector(".player-keys");
  if (keys) box.insertAdjacentElement("afterend", keys);
  restore();
  addSectionButtons();
  showSection();
  showTime();
  showButton();
  document.documentElement.classList.add("has-article-player");
  box.hidden = false;
})();
