// Telling an agent who is looking elsewhere that a conversation is offered: a count in the tab's
// title, a short chime, and a desktop notification when the agent allowed them.

const BASE_TITLE = document.title;
let audio = null;

export function setBadge(count) {
  document.title = count > 0 ? `(${count}) ${BASE_TITLE}` : BASE_TITLE;
}

function chime() {
  // Browsers allow sound only after the agent interacted with the page; a login click counts.
  try {
    audio = audio || new AudioContext();
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.6);
  } catch (error) {
    console.warn("no sound for the offer:", error.message);
  }
}

export function canAskForDesktopNotifications() {
  return "Notification" in window && Notification.permission === "default";
}

export async function askForDesktopNotifications() {
  if ("Notification" in window) await Notification.requestPermission();
}

export function announceOffer(handoff, text) {
  chime();
  if ("Notification" in window && Notification.permission === "granted") {
    const note = new Notification(text.title, { body: text.body, tag: `offer-${handoff.id}` });
    note.onclick = () => { window.focus(); note.close(); };
  }
}
