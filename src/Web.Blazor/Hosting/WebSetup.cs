using Cocktail.Web.Api;
using Cocktail.Web.Auth;
using Cocktail.Web.Components;
using Cocktail.Web.Session;
using MudBlazor.Services;
using Npgsql;
using Prometheus;
using Wolverine.Http;

namespace Cocktail.Web.Hosting;

public static class WebSetup
{
    public static IServiceCollection AddCocktailWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSafeLogging();
        services.AddEdgeSecurity(configuration);
        services.ConfigureHttpJsonOptions(o => JsonDefaults.Apply(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddWolverineHttp();
        services.AddOpenApi("v1");
        services.AddCocktailAuthentication(configuration);
        services.AddHttpContextAccessor();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddCocktailSession();
        services.AddHealthChecks();
        // The image gate's admission listener, after the database set-up (hosted services start in order).
        services.AddSingleton<Admission.AdmissionServer>();
        services.AddHostedService(s => s.GetRequiredService<Admission.AdmissionServer>());
        return services;
    }

    public static WebApplication UseCocktailWeb(this WebApplication app)
    {
        app.UseEdgeSecurity();
        app.UseExceptionHandler();
        // A person who opens an address with nothing behind it gets the console's "not found" page (with a 404), not
        // the API's ProblemDetails JSON, which is what automation gets everywhere under /api.
        app.UseWhen(IsConsolePage, page => page.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UseWhen(http => !IsConsolePage(http), other => other.UseStatusCodePages());
        // Routing after the status pages, so that a re-executed request is routed again (to /not-found); with the
        // implicit routing at the start of the pipeline it would keep the empty match of the original address.
        app.UseRouting();
        app.UseHttpMetrics();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseMiddleware<JsonBodyErrors>();
        app.UseWebSockets();

        app.MapStaticAssets();
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/readyz", ReadyAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapMetrics("/metrics").RequireMetricsAccess();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapWolverineEndpoints(o => o.RejectUnparseableQueryValues = true);
        app.MapAccountEndpoints();
        app.MapAuditIngest();
        app.MapAlertmanagerWebhook();
        app.MapRegistryNotifications();
        app.MapPipelineHooks();
        app.MapOtlpLogs();
        app.MapTerminalSocket();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var url in app.Urls) Console.WriteLine($"  Cocktail console: {url}");
        });
        return app;
    }

    /// <summary>A browser asking for a page: a GET for HTML outside the API, the metrics and the framework's files.</summary>
    private static bool IsConsolePage(HttpContext http) =>
        HttpMethods.IsGet(http.Request.Method)
        && http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
        && !http.Request.Path.StartsWithSegments("/api")
        && !http.Request.Path.StartsWithSegments("/metrics")
        && !http.Request.Path.StartsWithSegments("/_framework")
        && !http.Request.Path.StartsWithSegments("/_content")
        && !http.Request.Path.StartsWithSegments("/_blazor");

    private static async Task<IResult> ReadyAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        try
        {
            await using var command = database.CreateCommand("select 1");
            await command.ExecuteScalarAsync(ct);
            return Results.Text("ready");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready",
                detail: "The database does not answer.");
        }
    }
}
