using Cocktail.Application.Notifications.Delivering;
using Cocktail.Infrastructure.Kubernetes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cocktail.Infrastructure.Notifications;

public static class NotificationSetup
{
    /// <summary>
    /// The sender and its named HttpClient: a timeout of its own, no redirects, no request logging (URLs carry tokens),
    /// and the same refused address ranges as cluster connections (link-local metadata endpoints by default), checked
    /// after name resolution, since workspace admins choose these URLs.
    /// </summary>
    public static IServiceCollection AddNotificationDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<NotificationOptions>(configuration.GetSection(NotificationOptions.Section));
        services.AddHttpClient(NotificationSender.HttpClientName, (s, client) =>
            {
                client.Timeout = s.GetRequiredService<IOptions<NotificationOptions>>().Value.Timeout;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("Cocktail-Notifications/1");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectCallback = ClusterAddressGuard.Current.ConnectAsync,
            })
            .RemoveAllLoggers();
        services.AddSingleton<INotificationSender, NotificationSender>();
        return services;
    }
}
