using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Faults;

/// <summary>
/// Run-time controllable misbehaviour for reliability tests: latency, throttling and server errors, dropped or
/// expired watches, and a server that goes away (connection refused) or hangs, then comes back on the same port
/// with the same CA and credentials.
/// </summary>
public sealed class FaultInjector
{
    readonly Lock _gate = new();
    readonly ObjectStore _store;
    readonly Func<ServerAvailability, Task> _setAvailability;
    int _failuresLeft;
    int _failureCode;
    int _retryAfterSeconds = 1;
    double _failureFraction;
    int _goneWatchesLeft;

    internal FaultInjector(ObjectStore store, Func<ServerAvailability, Task> setAvailability)
    {
        _store = store;
        _setAvailability = setAvailability;
    }

    /// <summary>Added to every request before it is served (zero to turn off).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="statusCode"/> (429 carries Retry-After).</summary>
    public void FailNextRequests(int count, int statusCode = 429, int retryAfterSeconds = 1)
    {
        lock (_gate)
        {
            _failuresLeft = count;
            _failureCode = statusCode;
            _retryAfterSeconds = retryAfterSeconds;
        }
    }

    /// <summary>A random <paramref name="fraction"/> of requests (0..1) answer <paramref name="statusCode"/> until reset.</summary>
    public void FailFraction(double fraction, int statusCode = 503, int retryAfterSeconds = 1)
    {
        lock (_gate)
        {
            _failureFraction = fraction;
            _failureCode = statusCode;
            _retryAfterSeconds = retryAfterSeconds;
        }
    }

    /// <summary>Ends every open watch stream, as a load balancer or apiserver restart does.</summary>
    public void DropWatches()
    {
        lock (_store.Gate) _store.History.CompleteAll();
    }

    /// <summary>The next <paramref name="count"/> watches from a resourceVersion get an ERROR event with 410 Gone.</summary>
    public void ExpireNextWatches(int count)
    {
        lock (_gate) _goneWatchesLeft = count;
    }

    /// <summary>Forgets the change history, so every resourceVersion seen so far is too old to watch from (410).</summary>
    public void CompactHistory()
    {
        lock (_store.Gate) _store.History.CompactThrough(_store.CurrentResourceVersion);
    }

    /// <summary>Closes the listener: new connections are refused and open ones are cut.</summary>
    public Task StopAnsweringAsync() => _setAvailability(ServerAvailability.Refusing);

    /// <summary>Accepts TCP connections but never answers (not even the TLS handshake).</summary>
    public Task HangAsync() => _setAvailability(ServerAvailability.Hanging);

    /// <summary>Serves again on the same port with the same CA and credentials.</summary>
    public Task ResumeAsync() => _setAvailability(ServerAvailability.Serving);

    /// <summary>Clears latency, error injection and pending watch expiries.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            Latency = TimeSpan.Zero;
            _failuresLeft = 0;
            _failureFraction = 0;
            _goneWatchesLeft = 0;
        }
    }

    internal async Task BeforeRequest(CancellationToken cancel)
    {
        var latency = Latency;
        if (latency > TimeSpan.Zero) await Task.Delay(latency, cancel);
        int code;
        int retryAfter;
        lock (_gate)
        {
            var fail = _failuresLeft > 0 || (_failureFraction > 0 && Random.Shared.NextDouble() < _failureFraction);
            if (!fail) return;
            if (_failuresLeft > 0) _failuresLeft--;
            code = _failureCode;
            retryAfter = _retryAfterSeconds;
        }
        throw code switch
        {
            429 => ApiException.TooManyRequests(retryAfter),
            503 => new ApiException(503, "ServiceUnavailable", "the server is currently unable to handle the request") { RetryAfterSeconds = retryAfter },
            504 => new ApiException(504, "Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request"),
            _ => ApiException.Internal("injected fault"),
        };
    }

    internal bool TakeExpiredWatch()
    {
        lock (_gate)
        {
            if (_goneWatchesLeft <= 0) return false;
            _goneWatchesLeft--;
            return true;
        }
    }
}

/// <summary>Whether the cluster's port serves, refuses connections, or accepts and stays silent.</summary>
public enum ServerAvailability { Serving, Refusing, Hanging }
