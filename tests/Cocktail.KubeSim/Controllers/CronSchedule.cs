namespace Cocktail.KubeSim.Controllers;

/// <summary>Standard five-field cron schedules (robfig/cron as the CronJob controller parses them), in UTC.</summary>
internal sealed class CronSchedule
{
    readonly HashSet<int>[] _fields;
    readonly bool _dayOfMonthRestricted;
    readonly bool _dayOfWeekRestricted;

    static readonly (int Min, int Max)[] Ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)];
    static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    static readonly string[] Days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    CronSchedule(HashSet<int>[] fields, bool domRestricted, bool dowRestricted)
    {
        _fields = fields;
        _dayOfMonthRestricted = domRestricted;
        _dayOfWeekRestricted = dowRestricted;
    }

    public static CronSchedule? TryParse(string text)
    {
        text = text.Trim() switch
        {
            "@yearly" or "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" or "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            var t => t,
        };
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 5) return null;
        var fields = new HashSet<int>[5];
        for (var i = 0; i < 5; i++)
        {
            var set = ParseField(parts[i], Ranges[i].Min, Ranges[i].Max, i == 3 ? Months : i == 4 ? Days : null, i == 3 ? 1 : 0);
            if (set is null) return null;
            if (i == 4 && set.Remove(7)) set.Add(0);
            fields[i] = set;
        }
        return new CronSchedule(fields, parts[2] != "*" && parts[2] != "?", parts[4] != "*" && parts[4] != "?");
    }

    static HashSet<int>? ParseField(string field, int min, int max, string[]? names, int nameOffset)
    {
        var set = new HashSet<int>();
        foreach (var term in field.Split(','))
        {
            var stepParts = term.Split('/');
            var step = stepParts.Length == 2 && int.TryParse(stepParts[1], out var s) && s > 0 ? s : 1;
            int from, to;
            if (stepParts[0] is "*" or "?") (from, to) = (min, max);
            else
            {
                var range = stepParts[0].Split('-');
                if (!TryValue(range[0], names, nameOffset, out from)) return null;
                to = range.Length == 2 ? (TryValue(range[1], names, nameOffset, out var t) ? t : -1) : stepParts.Length == 2 ? max : from;
                if (to < 0) return null;
            }
            for (var v = from; v <= to; v += step) set.Add(v);
        }
        return set.All(v => v >= min && v <= (max == 6 ? 7 : max)) ? set : null;
    }

    static bool TryValue(string text, string[]? names, int offset, out int value)
    {
        if (int.TryParse(text, out value)) return true;
        var index = names is null ? -1 : Array.IndexOf(names, text.ToUpperInvariant());
        value = index + offset;
        return index >= 0;
    }

    /// <summary>The first scheduled minute strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset after)
    {
        var t = new DateTimeOffset(after.UtcDateTime.Year, after.UtcDateTime.Month, after.UtcDateTime.Day, after.UtcDateTime.Hour, after.UtcDateTime.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        for (var i = 0; i < 60 * 24 * 366 * 5; i++, t = t.AddMinutes(1))
        {
            if (!_fields[3].Contains(t.Month)) { t = new DateTimeOffset(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1).AddMinutes(-1); continue; }
            if (!DayMatches(t)) { t = new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, TimeSpan.Zero).AddDays(1).AddMinutes(-1); continue; }
            if (!_fields[1].Contains(t.Hour)) { t = new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, 0, 0, TimeSpan.Zero).AddHours(1).AddMinutes(-1); continue; }
            if (_fields[0].Contains(t.Minute)) return t;
        }
        return DateTimeOffset.MaxValue;
    }

    /// <summary>Cron's rule: when both day fields are restricted, either may match.</summary>
    bool DayMatches(DateTimeOffset t)
    {
        var dom = _fields[2].Contains(t.Day);
        var dow = _fields[4].Contains((int)t.DayOfWeek);
        return _dayOfMonthRestricted && _dayOfWeekRestricted ? dom || dow : dom && dow;
    }
}
