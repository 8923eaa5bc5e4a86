import type { Launcher, Panel } from "../i18n.ts";

/** Russian: `launcher` ships in widget.js, `panel` is its pack, loaded on open (i18n.ts). */
export const launcher: Launcher = [
  "Открыть чат", // open
  "Закрыть чат", // close
  "Непрочитанных: {0}", // unread
];

export const panel: Panel = [
  "Чат", // title
  "Здравствуйте! Чем можем помочь?", // greeting
  "Напишите сообщение…", // input
  "Отправить", // send
  "Отправка…", // sending
  "Не отправлено.", // failed
  "Повторить", // retry
  "Подключение…", // connecting
  "Нет связи. Переподключение…", // offline
  "Не удалось подключиться.", // error
  "{0} печатает…", // typing
  "Вы", // you
  "Поддержка", // agent
  "Сообщения", // messages
  "Другие способы связи", // more
  "из {0}", // via_app
  "по почте", // via_email
  "по телефону", // via_callback
  "Продолжить в {0}", // go_app
  "Продолжить по почте", // go_email
  "Заказать обратный звонок", // go_callback
  "Не получилось. Попробуйте ещё раз.", // handoffError
  "Готово: продолжим там.", // handoffDone
  "Ваша почта", // email
  "Прислать переписку на почту после решения", // transcript
  "Нас сейчас нет. Оставьте сообщение: мы ответим здесь.", // away
  "Как мы справились?", // csat
  "Оценка {0} из 5", // rate
  "Комментарий", // comment
  "Ваша оценка: {0}/5. Спасибо!", // rated
  "Номер телефона", // phone
  "Страна", // country
  "Когда вам позвонить?", // when
  "Как можно скорее", // asap
  "Тема звонка (необязательно)", // note
  "Звонок заказан на {0}", // cb_requested
  "Мы позвоним: {0}", // cb_scheduled
  "Мы вам позвонили.", // cb_completed
  "Звонок не состоялся.", // cb_missed
  "Звонок отменён.", // cb_cancelled
  "Позвонить вам в другое время?", // cb_offered
  "Звонок заказан: как можно скорее", // cb_soon
  "Отменить звонок", // cb_cancel
];
