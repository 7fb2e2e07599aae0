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
  function announce() {
    if (announced === current) return;
    announced = current;
    status.textContent = (labels.playing || "{section}")
      .replace("{section}", sections[current].label);
  }

  function highlight(id) {
    if (id === spoken) return;
    document.querySelectorAll(".s.is-speaking").forEach(function (el) {
      el.classList.remove("is-speaking");
    });
    spoken = id;
    if (!id) return;
    var pieces = document.querySelectorAll('[data-s="' + id.replace(/["\\]/g, "") + '"]');
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

  function onSentenceClick(event) {
    var target = event.target;
    if (!target.closest || target.closest("a, button, input, select, summary, label")) return;
    var piece = target.closest(".s[data-s]");
    var selection = window.getSelection && window.getSelection();
    if (!piece || (selection && !selection.isCollapsed)) return;
    var id = piece.getAttribute("data-s");
    for (var i = 0; i < sections.length; i++) {
      var list = sections[i].sentences;
      for (var j = 0; j < list.length; j++) {
        if (list[j][0] === id) { go(i, list[j][1], true); return; }
      }
    }
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
  window.addEventListener("pagehide", function () { if (started) remember(true); });

  restore();
  addSectionButtons();
  showSection();
  showTime();
  showButton();
  document.documentElement.classList.add("has-article-player");
  box.hidden = false;
})();
