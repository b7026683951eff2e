using Npgsql;
using NpgsqlTypes;

namespace Cocktail.Infrastructure.Postgres;

/// <summary>Nullable values in a binary COPY (the Kubernetes audit store and the log store both load rows this way).</summary>
public static class BinaryCopy
{
    public static Task WriteNullableAsync(this NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, type, ct);

    public static Task WriteNullableAsync<T>(this NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct) where T : struct =>
        value is { } v ? copy.WriteAsync(v, type, ct) : copy.WriteNullAsync(ct);
}

/// <summary>Day partitions: their names, their bounds in UTC, and the partitions a table has.</summary>
public static class DayPartitions
{
    public static string Suffix(DateTime day) => day.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The bounds as UTC literals: a bare date would be read in the server's time zone.</summary>
    public static string Bounds(DateTime day) =>
        $"from ('{day:yyyy-MM-dd} 00:00:00+00') to ('{day.AddDays(1):yyyy-MM-dd} 00:00:00+00')";

    public static bool TryParseSuffix(string name, out DateTime day) =>
        DateTime.TryParseExact(name.Length >= 8 ? name[^8..] : "", "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out day);

    /// <summary>The direct partitions of <paramref name="parent"/> (a table name in <paramref name="schema"/>).</summary>
    public static async Task<List<string>> ChildrenAsync(NpgsqlDataSource dataSource, string schema, string parent, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent " +
            "join pg_namespace n on n.oid = p.relnamespace where n.nspname = $1 and p.relname = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        command.Parameters.Add(new NpgsqlParameter { Value = parent });
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) names.Add(reader.GetString(0));
        return names;
    }
}
