namespace Cocktail.KubeSim.ContractTests.Infrastructure;

/// <summary>Polls a condition until a deadline: tests never sleep and hope.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task Until(Func<Task<bool>> condition, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not met in time{(because is null ? "" : ": " + because)}");
            await Task.Delay(25);
        }
    }

    public static async Task<T> Get<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var value = await read();
            if (condition(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not met in time{(because is null ? "" : ": " + because)}");
            await Task.Delay(25);
        }
    }
}
