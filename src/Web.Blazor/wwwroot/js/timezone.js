// The browser's IANA time zone (e.g. "Europe/Berlin"), for the console's local times.
export function zone() {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}
