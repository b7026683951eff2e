using Cocktail.Application.Common;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Cocktail.Web.Session;

/// <summary>
/// The console's way to send commands and queries: through the same dispatcher as the API, as the signed-in user,
/// with the browser's address captured when the circuit opened (HttpContext is gone afterwards).
/// </summary>
public sealed class ConsoleSession
{
    private readonly AuthenticationStateProvider _auth;
    private readonly RequestDispatcher _dispatcher;
    private readonly ISnackbar _snackbar;
    private readonly string? _sourceIp;
    private readonly string? _userAgent;
    private readonly ILogger<ConsoleSession> _logger;

    public ConsoleSession(IHttpContextAccessor http, AuthenticationStateProvider auth, RequestDispatcher dispatcher, ISnackbar snackbar,
        ILogger<ConsoleSession> logger)
    {
        _logger = logger;
        _auth = auth;
        _dispatcher = dispatcher;
        _snackbar = snackbar;
        _sourceIp = http.HttpContext?.Connection.RemoteIpAddress?.ToString();
        _userAgent = http.HttpContext?.Request.Headers.UserAgent.ToString();
    }

    public async Task<Guid?> UserIdAsync() => (await _auth.GetAuthenticationStateAsync()).User.UserId();

    /// <summary>
    /// An unexpected exception becomes a failure to show, with a reference to find it in the log: it must not end
    /// the user's circuit (and with it every open page).
    /// </summary>
    public async Task<Result<T>> SendAsync<T>(IRequest<T> request, CancellationToken ct = default)
    {
        var caller = new Caller(await UserIdAsync(), _sourceIp, _userAgent, Guid.CreateVersion7().ToString());
        try
        {
            return await _dispatcher.SendAsync(request, caller, ct);
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            _logger.LogError(e, "{Request} failed unexpectedly (correlation id {CorrelationId})", request.GetType().Name, caller.CorrelationId);
            return new Failure(FailureKind.Unavailable,
                $"Cocktail could not do this because of an unexpected error (reference {caller.CorrelationId}). It is logged; try again, and tell your platform team if it persists.");
        }
    }

    /// <summary>Sends, and shows a failure in a snackbar; answers the value or null.</summary>
    public async Task<T?> TrySendAsync<T>(IRequest<T> request, string? success = null, CancellationToken ct = default) where T : class
    {
        var result = await SendAsync(request, ct);
        if (result.Failure is { } failure)
        {
            ShowFailure(failure);
            return null;
        }
        if (success is not null) _snackbar.Add(success, Severity.Success);
        return result.Value;
    }

    public void ShowFailure(Failure failure)
    {
        var details = failure.FieldErrors is { Count: > 0 } errors
            ? " " + string.Join(" ", errors.SelectMany(e => e.Value))
            : "";
        _snackbar.Add(failure.Message + details, failure.Kind == FailureKind.Invalid ? Severity.Warning : Severity.Error);
    }
}

public static class SessionSetup
{
    public static IServiceCollection AddCocktailSession(this IServiceCollection services)
    {
        services.AddScoped<ConsoleSession>();
        services.AddScoped<BrowserTime>();
        services.AddScoped<ConsolePlace>();
        services.AddScoped<MonacoAssets>();
        services.AddScoped<AuthenticationStateProvider, RevalidatingAuthState>();
        return services;
    }
}
