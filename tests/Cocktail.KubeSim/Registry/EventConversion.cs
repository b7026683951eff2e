using System.Text.Json.Nodes;

namespace Cocktail.KubeSim.Registry;

/// <summary>
/// core/v1 Event and events.k8s.io/v1 Event are one stored object shown two ways (as the apiserver converts them):
/// message⇄note, involvedObject⇄regarding, source⇄deprecatedSource and so on.
/// </summary>
public static class EventConversion
{
    static readonly (string Core, string EventsV1)[] Renames =
    [
        ("message", "note"), ("involvedObject", "regarding"), ("source", "deprecatedSource"),
        ("firstTimestamp", "deprecatedFirstTimestamp"), ("lastTimestamp", "deprecatedLastTimestamp"),
        ("count", "deprecatedCount"), ("reportingComponent", "reportingController"),
    ];

    public static JsonObject ToEventsV1(JsonObject core) => Rename(core, toEventsV1: true);

    public static JsonObject ToCoreV1(JsonObject eventsV1) => Rename(eventsV1, toEventsV1: false);

    static JsonObject Rename(JsonObject obj, bool toEventsV1)
    {
        foreach (var (core, v1) in Renames)
        {
            var (from, to) = toEventsV1 ? (core, v1) : (v1, core);
            if (!obj.ContainsKey(from)) continue;
            var value = obj[from];
            obj.Remove(from);
            obj[to] = value;
        }
        return obj;
    }
}
