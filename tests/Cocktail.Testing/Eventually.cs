namespace Cocktail.Testing;

/// <summary>Polls until a condition holds or a deadline passes: tests wait for outcomes, never for luck.</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T>> probe, Func<T, bool> until, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        T last;
        while (true)
        {
            last = await probe();
            if (until(last)) return last;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting{(because is null ? "" : " for " + because)}; last value: {Describe(last)}");
            await Task.Delay(100);
        }
    }

    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string? because = null) =>
        GetAsync(condition, ok => ok, timeout, because);

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Text.Json.Nodes.JsonNode node => node.ToJsonString()[..Math.Min(node.ToJsonString().Length, 2000)],
        _ => value.ToString() ?? "",
    };
}
