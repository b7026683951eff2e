using System.Text.Json.Nodes;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Patch;

/// <summary>
/// Field ownership as the apiserver's fieldmanager tracks it in <c>metadata.managedFields</c>: updates give the
/// writer the fields it changed, applies give the applier exactly the fields of its configuration, and an apply that
/// would change a field someone else owns is a conflict unless forced.
/// </summary>
public static class ManagedFields
{
    sealed record Entry(string Manager, string Operation, string ApiVersion, string Time, string Subresource, FieldSet Fields);

    static List<Entry> Read(JsonObject obj) =>
        obj.At("metadata", "managedFields").Objects().Select(e => new Entry(
            e.Str("manager") ?? "", e.Str("operation") ?? "Update", e.Str("apiVersion") ?? "", e.Str("time") ?? "",
            e.Str("subresource") ?? "", FieldSet.FromFieldsV1(e["fieldsV1"] as JsonObject))).ToList();

    static void Write(JsonObject obj, List<Entry> entries)
    {
        var array = new JsonArray();
        foreach (var e in entries.Where(e => !e.Fields.IsEmpty))
        {
            var o = new JsonObject
            {
                ["manager"] = e.Manager, ["operation"] = e.Operation, ["apiVersion"] = e.ApiVersion, ["time"] = e.Time,
                ["fieldsType"] = "FieldsV1", ["fieldsV1"] = e.Fields.ToFieldsV1(),
            };
            if (e.Subresource.Length > 0) o["subresource"] = e.Subresource;
            array.Add(o);
        }
        if (array.Count == 0) obj.Meta().Remove("managedFields");
        else obj.Meta()["managedFields"] = array;
    }

    static JsonObject Meta(this JsonObject obj) => obj.Obj("metadata");

    /// <summary>Records a create/update/patch by <paramref name="manager"/>: it now owns every field it changed.</summary>
    public static void RecordUpdate(JsonObject? oldObject, JsonObject newObject, string manager, string apiVersion, string subresource, string time)
    {
        var entries = oldObject is null ? [] : Read(oldObject);
        var newFields = FieldSet.FromObject(newObject, markParents: true);
        var changed = new FieldSet();
        foreach (var (_, keys) in newFields.Leaves())
        {
            if (oldObject is not null && JsonNode.DeepEquals(FieldSet.ValueAt(oldObject, keys), FieldSet.ValueAt(newObject, keys))) continue;
            changed.AddPath(keys);
        }
        // Fields that disappeared are owned by nobody any more.
        foreach (var e in entries)
            foreach (var (_, keys) in e.Fields.Leaves().ToList())
                if (FieldSet.ValueAt(newObject, keys) is null) e.Fields.RemovePath(keys);
        if (changed.IsEmpty && oldObject is not null)
        {
            Write(newObject, entries);
            return;
        }
        foreach (var e in entries.Where(e => !(e.Manager == manager && e.Operation == "Update" && e.Subresource == subresource)))
            foreach (var (_, keys) in changed.Leaves()) e.Fields.RemovePath(keys);
        var mine = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Update" && e.Subresource == subresource);
        var fields = mine?.Fields ?? new FieldSet();
        foreach (var (_, keys) in changed.Leaves()) fields.AddPath(keys);
        if (mine is not null) entries.Remove(mine);
        entries.Add(new Entry(manager, "Update", apiVersion, time, subresource, fields));
        Write(newObject, entries);
    }

    /// <summary>
    /// Server-side apply of <paramref name="applied"/> onto <paramref name="current"/> (null when creating).
    /// Returns the resulting object; throws 409 with the apiserver's conflict message unless <paramref name="force"/>.
    /// </summary>
    public static JsonObject Apply(JsonObject? current, JsonObject applied, string manager, string apiVersion, string subresource, bool force, string time)
    {
        var entries = current is null ? [] : Read(current);
        var appliedFields = FieldSet.FromObject(applied, markParents: false);
        var conflicts = new List<(Entry Owner, string Path)>();
        foreach (var other in entries.Where(e => !(e.Manager == manager && e.Operation == "Apply")))
            foreach (var (display, keys) in appliedFields.Leaves())
                if (other.Fields.ContainsPath(keys) && current is not null &&
                    !JsonNode.DeepEquals(FieldSet.ValueAt(current, keys), FieldSet.ValueAt(applied, keys)))
                    conflicts.Add((other, display));
        if (conflicts.Count > 0 && !force) throw ConflictError(conflicts);
        foreach (var (owner, _) in conflicts)
            foreach (var (_, keys) in appliedFields.Leaves()) owner.Fields.RemovePath(keys);

        var result = current?.DeepClone() as JsonObject ?? new JsonObject();
        var previous = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Apply" && e.Subresource == subresource);
        if (previous is not null)
        {
            foreach (var (_, keys) in previous.Fields.Leaves())
            {
                if (appliedFields.ContainsPath(keys)) continue;
                if (entries.Any(e => e != previous && e.Fields.ContainsPath(keys))) continue;
                RemoveAt(result, keys);
            }
            entries.Remove(previous);
        }
        var applyBody = (JsonObject)applied.DeepClone();
        applyBody.Remove("kind");
        applyBody.Remove("apiVersion");
        result = StrategicMergePatch.Apply(result, applyBody);
        entries.Add(new Entry(manager, "Apply", apiVersion, time, subresource, appliedFields));
        Write(result, entries);
        return result;
    }

    static void RemoveAt(JsonObject obj, string[] keys)
    {
        var parent = FieldSet.ValueAt(obj, keys[..^1]);
        var last = keys[^1];
        switch (parent)
        {
            case JsonObject o when last.StartsWith("f:", StringComparison.Ordinal): o.Remove(last[2..]); break;
            case JsonArray a:
                var item = FieldSet.ValueAt(a, [last]);
                if (item is not null) a.Remove(item);
                break;
        }
    }

    static ApiException ConflictError(List<(Entry Owner, string Path)> conflicts)
    {
        var causes = new JsonArray();
        foreach (var (owner, path) in conflicts)
            causes.Add(new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with {Describe(owner)}", ["field"] = path });
        string message;
        if (conflicts.Count == 1)
            message = $"Apply failed with 1 conflict: conflict with {Describe(conflicts[0].Owner)}: {conflicts[0].Path}";
        else
        {
            var lines = new List<string>();
            foreach (var group in conflicts.GroupBy(c => Describe(c.Owner)).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                lines.Add($"conflicts with {group.Key}:");
                lines.AddRange(group.Select(c => $"- {c.Path}"));
            }
            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        }
        return new ApiException(409, "Conflict", message, new JsonObject { ["causes"] = causes });
    }

    /// <summary>printManager: <c>"kubectl-edit" using apps/v1</c>, or just the quoted name for appliers.</summary>
    static string Describe(Entry e)
    {
        var name = $"\"{e.Manager}\"";
        if (e.Subresource.Length > 0) name += $" with subresource \"{e.Subresource}\"";
        return e.Operation == "Update" ? $"{name} using {e.ApiVersion}" : name;
    }
}
