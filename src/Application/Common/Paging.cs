using Marten;
using Marten.Linq;

namespace Cocktail.Application.Common;

public sealed record Page<T>(IReadOnlyList<T> Items, long Total, int PageNumber, int PageSize);

public static class Paging
{
    public const int MaxPageSize = 500;

    /// <summary>The last page whose offset, (page - 1) * size, still fits the int the database query takes.</summary>
    public const int MaxPage = int.MaxValue / MaxPageSize;

    public static (int Page, int Size) Clamp(int page, int size) => (Math.Clamp(page, 1, MaxPage), Math.Clamp(size, 1, MaxPageSize));

    /// <summary>Pages on the server, with the total from the same statement.</summary>
    public static async Task<Page<T>> ToPageAsync<T>(IQueryable<T> query, int page, int size, CancellationToken ct) where T : notnull
    {
        (page, size) = Clamp(page, size);
        var items = await query.Stats(out QueryStatistics stats).Skip((page - 1) * size).Take(size).ToListAsync(ct);
        return new Page<T>(items, stats.TotalResults, page, size);
    }
}
