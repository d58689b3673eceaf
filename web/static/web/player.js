/* The scene page's player: the segments play one after another as one story, each from its
   HLS stream (native HLS where the browser has it, hls.js from /static/vendor otherwise;
   without either, the MP4 the page already set plays segment 1). */
(function () {
  "use strict";
  var script = document.currentScript;
  var video = document.getElementById("story-video");
  var data = document.getElementById("scene-playlist");
  if (!video || !data) return;
  var playlist = JSON.parse(data.textContent);
  if (!playlist.length) return;
  var nowPlaying = document.getElementById("now-playing");
  var native = video.canPlayType("application/vnd.apple.mpegurl") !== "";
  var useHls = !native && window.Hls && window.Hls.isSupported();
  var hls = null;
  var state = { index: 0, mode: native ? "native-hls" : useHls ? "hls.js" : "mp4", playlist: playlist };
  window.storyPlayer = state;

  function mark(index) {
    document.querySelectorAll(".segments li[data-segment]").forEach(function (item) {
      var playing = item.getAttribute("data-segment") === playlist[index].id;
      item.classList.toggle("playing", playing);
      if (playing) item.setAttribute("aria-current", "true"); else item.removeAttribute("aria-current");
    });
    if (nowPlaying) {
      nowPlaying.textContent = "Segment " + playlist[index].sequence + " of " + playlist.length +
        " (starts at " + Math.round(playlist[index].start) + " s of the story)";
    }
  }

  function load(index, autoplay) {
    var segment = playlist[index];
    state.index = index;
    if (segment.poster) video.poster = segment.poster;
    if (useHls) {
      if (hls) hls.destroy();
      hls = new window.Hls({ enableWorker: true });
      hls.loadSource(segment.hls);
      hls.attachMedia(video);
    } else if (native) {
      video.src = segment.hls;
    } else if (index > 0) {
      var link = document.querySelector('[data-play="' + segment.id + '"]');
      if (link) video.src = link.getAttribute("href");
    }
    mark(index);
    if (autoplay) {
      var played = video.play();
      if (played && played.catch) played.catch(function () { /* autoplay refused: controls stay */ });
    }
  }

  video.addEventListener("ended", function () {
    if (state.index + 1 < playlist.length) load(state.index + 1, true);
  });
  document.querySelectorAll("[data-play]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var id = link.getAttribute("data-play");
      for (var i = 0; i < playlist.length; i++) {
        if (playlist[i].id === id) {
          event.preventDefault();
          load(i, true);
          video.scrollIntoView({ block: "nearest" });
          video.focus();
          return;
        }
      }
    });
  });

  var start = script ? script.getAttribute("data-start") : "";
  var first = 0;
  for (var i = 0; i < playlist.length; i++) if (playlist[i].id === start) first = i;
  load(first, !!start);
})();
