import { describe, expect, it } from 'vitest'
import { ScoringError } from './errors.ts'
import { parseScoringRequest, predictionDateWindow, todayInChicago } from './request.ts'

const now = new Date('2026-11-27T04:30:00Z') // still Nov 26 in Chicago

function rejection(body: string): { code: string; status: number; message: string } {
  try {
    parseScoringRequest(body, now)
  } catch (error) {
    if (error instanceof ScoringError) {
      return { code: error.code, status: error.status, message: error.message }
    }
    throw error
  }
  throw new Error('expected a rejection')
}

describe('parseScoringRequest', () => {
  it('defaults an empty body to every state, today in Chicago, a real http run', () => {
    expect(parseScoringRequest('', now)).toEqual({
      states: null,
      gameIds: null,
      predictionDate: '2026-11-26',
      dryRun: false,
      trigger: 'http',
    })
  })

  it('normalizes states and game ids (sorted, unique)', () => {
    const request = parseScoringRequest(
      '{"states":["MN","IA","MN"],"game_ids":[3,1,3],"prediction_date":"2026-11-20","dry_run":true,"trigger":"cron"}',
      now,
    )
    expect(request).toEqual({
      states: ['IA', 'MN'],
      gameIds: [1, 3],
      predictionDate: '2026-11-20',
      dryRun: true,
      trigger: 'cron',
    })
  })

  it.each([
    ['{not json', 'invalid_json', 'not valid JSON'],
    ['{"states":"MN"}', 'invalid_request', 'states'],
    ['{"states":["Minnesota"]}', 'invalid_request', 'states.0'],
    ['{"game_ids":[1.5]}', 'invalid_request', 'game_ids.0'],
    ['{"game_ids":["7"]}', 'invalid_request', 'game_ids.0'],
    ['{"prediction_date":"2026-13-01"}', 'invalid_request', 'prediction_date'],
    ['{"dry_run":"yes"}', 'invalid_request', 'dry_run'],
    ['{"trigger":"manual"}', 'invalid_request', 'trigger'],
    ['{"stats":["MN"]}', 'invalid_request', 'stats'],
    ['[1,2]', 'invalid_request', 'body'],
    ['{"prediction_date":"2026-11-28"}', 'invalid_request', 'prediction_date'],
    ['{"prediction_date":"2100-01-01"}', 'invalid_request', 'prediction_date'],
    ['{"prediction_date":"1999-12-31"}', 'invalid_request', 'prediction_date'],
    ['{"prediction_date":"1900-01-01"}', 'invalid_request', 'prediction_date'],
    ['{"prediction_date":"0099-06-01"}', 'invalid_request', 'prediction_date'],
    ['{"prediction_date":"0001-01-01"}', 'invalid_request', 'prediction_date'],
    ['{"prediction_date":"0000-01-01"}', 'invalid_request', 'prediction_date'],
    ['{"prediction_date":"+02026-11-20"}', 'invalid_request', 'prediction_date'],
  ])('rejects %s with 400 %s naming %s', (body, code, named) => {
    const error = rejection(body)
    expect(error.status).toBe(400)
    expect(error.code).toBe(code)
    expect(error.message).toContain(named)
  })
})

describe('prediction_date window', () => {
  it.each(['2000-01-01', '2026-11-20', '2026-11-26', '2026-11-27'])('accepts %s', (date) => {
    expect(parseScoringRequest(`{"prediction_date":"${date}"}`, now).predictionDate).toBe(date)
  })

  it('is 2000-01-01 to tomorrow in Chicago', () => {
    expect(predictionDateWindow(now)).toEqual({ from: '2000-01-01', to: '2026-11-27' })
  })

  it('names the window in the message', () => {
    expect(rejection('{"prediction_date":"2100-01-01"}').message).toBe(
      'Invalid field prediction_date: 2100-01-01 is outside 2000-01-01 to 2026-11-27 (tomorrow in America/Chicago)',
    )
  })
})

describe('todayInChicago', () => {
  it.each([
    ['2026-11-27T05:59:00Z', '2026-11-26'],
    ['2026-11-27T06:00:00Z', '2026-11-27'],
    ['2026-07-01T04:59:00Z', '2026-06-30'],
    ['2026-07-01T05:00:00Z', '2026-07-01'],
  ])('at %s it is %s', (instant, date) => {
    expect(todayInChicago(new Date(instant))).toBe(date)
  })
})
