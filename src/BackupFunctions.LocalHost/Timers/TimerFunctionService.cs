using Cronos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.LocalHost.Timers;

/// <summary>
/// Fires one <c>[TimerTrigger]</c> function on its NCRONTAB schedule (six fields, with seconds, in UTC as the
/// Functions host does by default). A failing run is logged and the next occurrence still fires.
/// </summary>
internal sealed class TimerFunctionService(
    FunctionDescriptor function,
    IServiceProvider services,
    TimeProvider time,
    ILogger<TimerFunctionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var trigger = (TimerTriggerAttribute)function.Trigger;
        var schedule = CronExpression.Parse(trigger.Schedule, CronFormat.IncludeSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var next = schedule.GetNextOccurrence(now.UtcDateTime, TimeZoneInfo.Utc);
            if (next is null)
                return;
            await Task.Delay(next.Value - now.UtcDateTime, time, stoppingToken);
            try
            {
                var info = new TimerInfo { ScheduleStatus = new ScheduleStatus { Last = now.UtcDateTime, Next = schedule.GetNextOccurrence(next.Value, TimeZoneInfo.Utc) ?? next.Value } };
                await using var scope = services.CreateAsyncScope();
                await FunctionInvoker.InvokeAsync(function, scope.ServiceProvider, p =>
                    p.Position == function.TriggerParameter.Position ? info
                    : p.ParameterType == typeof(CancellationToken) ? stoppingToken
                    : p.ParameterType == typeof(DurableTaskClient) ? scope.ServiceProvider.GetRequiredService<DurableTaskClient>()
                    : scope.ServiceProvider.GetRequiredService(p.ParameterType));
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Timer function {Function} failed", function.Name);
            }
        }
    }
}
